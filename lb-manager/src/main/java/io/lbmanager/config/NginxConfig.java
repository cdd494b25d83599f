package io.lbmanager.config;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/** The Nginx binary the manager validates rendered bundles with, and the templates it renders. */
public class NginxConfig {

    @NotBlank
    public String binary = "nginx";

    @Min(1)
    public int validateTimeoutSeconds = 15;

    /** Directory of FreeMarker templates (see templates/README.md). */
    @NotBlank
    public String templatesDir = "templates";
}
