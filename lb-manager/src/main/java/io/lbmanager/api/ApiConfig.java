package io.lbmanager.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** Limits of the REST API (YAML key {@code api}). */
public class ApiConfig {

    /** Largest request body accepted; larger ones get 413. */
    @Min(1024)
    @Max(16 * 1024 * 1024)
    public int maxBodyBytes = 64 * 1024;
}
