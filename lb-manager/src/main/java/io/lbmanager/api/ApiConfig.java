package io.lbmanager.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** Limits of the REST API (YAML key {@code api}). */
public class ApiConfig {

    /** Largest request body accepted; larger ones get 413. */
    @Min(1024)
    @Max(16 * 1024 * 1024)
    public int maxBodyBytes = 64 * 1024;

    /** {@code nginx -t} runs the validate endpoint makes at once; 0 means one per processor. */
    @Min(0)
    @Max(256)
    public int validateConcurrency = 0;

    /** Validate requests that may wait for a free {@code nginx -t} run; more are answered 503 at once. */
    @Min(0)
    @Max(10_000)
    public int validateQueueLength = 64;

    /** How long a validate request waits for a free {@code nginx -t} run before it is answered 503. */
    @Min(0)
    @Max(600_000)
    public long validateMaxWaitMillis = 5_000;

    /** Whether GET endpoints need a token with the read scope (every token has it); false opens reads to anyone. */
    public boolean readsNeedToken = true;

    /** A file holding the first admin token, read at start-up when the environment variable LBM_ADMIN_TOKEN is not set. */
    public String adminTokenFile = "";

    /** Audit entries kept in ZooKeeper (the newest); older ones are pruned. */
    @Min(100)
    @Max(1_000_000)
    public int auditEntries = 10_000;

    /** {@link #validateConcurrency} with 0 resolved to the number of processors. */
    public int validateSlots() {
        return validateConcurrency > 0 ? validateConcurrency : Runtime.getRuntime().availableProcessors();
    }
}
