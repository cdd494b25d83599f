package io.lbmanager.config;

import jakarta.validation.constraints.Pattern;

/** The Curator x-discovery base path service teams register under. */
public class DiscoveryConfig {

    public static final String DEFAULT_BASE_PATH = "/services";

    @Pattern(regexp = "/[A-Za-z0-9_./-]*[A-Za-z0-9_-]", message = "must be an absolute ZooKeeper path without a trailing /")
    public String basePath = DEFAULT_BASE_PATH;
}
