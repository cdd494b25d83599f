package io.lbmanager.discovery;

import io.lbmanager.catalog.Upstream;

/** One instance registered through Curator x-discovery, read from its node's JSON (payload ignored). */
public record DiscoveredInstance(String name, String id, String address, int port, boolean enabled) {

    public Upstream upstream() {
        return new Upstream(address, port);
    }
}
