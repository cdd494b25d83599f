package io.lbmanager.config;

/**
 * Baragon's load-balancer API served by lb-manager ({@code /baragon/v2/...}), so Singularity's
 * {@code loadBalancerUri} can point here instead of at a Baragon service.
 */
public class BaragonConfig {

    /** Serve the API. Off: the paths answer 404, as any unknown path. */
    public boolean enabled = false;

    /** A request whose change is not live on every Nginx of its groups within this time ends FAILED. */
    public int confirmTimeoutSeconds = 120;

    /** Finished requests kept in ZooKeeper (the newest); Singularity reads a request's state until it finished. */
    public int requestsKept = 1000;
}
