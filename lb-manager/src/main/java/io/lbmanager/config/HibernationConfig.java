package io.lbmanager.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * Hibernation of idle services (a service opts in with its {@code hibernation} option). Services run
 * by Singularity are scaled through {@code fleet.singularity}'s base URL and credentials.
 */
public class HibernationConfig {

    /** How often the leading manager checks idle times and wake requests. */
    @Min(50)
    @Max(60_000)
    public int checkEveryMillis = 200;

    /** The Docker engine whose labelled containers are services' {@code docker} backends. */
    @NotNull
    public String dockerHost = "unix:///var/run/docker.sock";
}
