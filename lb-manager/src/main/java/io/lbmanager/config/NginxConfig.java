package io.lbmanager.config;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/** The Nginx binary the manager validates rendered bundles with, and the templates it renders. */
public class NginxConfig {

    @NotBlank
    public String binary = "nginx";

    @Min(1)
    public int validateTimeoutSeconds = 15;

    /** Where {@code nginx -t} sandboxes are created; empty is /dev/shm when writable, else the JVM's temporary directory. */
    @NotNull
    public String sandboxDir = "";

    /** Directory of FreeMarker templates (see templates/README.md). */
    @NotBlank
    public String templatesDir = "templates";
}
