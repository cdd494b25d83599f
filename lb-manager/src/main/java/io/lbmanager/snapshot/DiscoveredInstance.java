package io.lbmanager.snapshot;

import io.lbmanager.catalog.Upstream;

/**
 * One instance registered through Curator x-discovery, read from its node's JSON. Of the payload
 * only an optional integer {@code weight} is read.
 */
public record DiscoveredInstance(String name, String id, String address, int port, boolean enabled, int weight) {

    public DiscoveredInstance(String name, String id, String address, int port, boolean enabled) {
        this(name, id, address, port, enabled, 1);
    }

    public Upstream upstream() {
        return new Upstream(address, port, weight);
    }
}
