package io.lbmanager.snapshot;

import io.lbmanager.catalog.Upstream;

import java.util.Map;

/**
 * One instance registered through Curator x-discovery, read from its node's JSON. Of the payload
 * only an optional integer {@code weight} and its top-level string fields ({@code payloadFields},
 * a bounded few, unchecked: a service's {@code zoneField} option names one) are read.
 */
public record DiscoveredInstance(String name, String id, String address, int port, boolean enabled, int weight,
                                 Map<String, String> payloadFields) {

    public DiscoveredInstance {
        payloadFields = payloadFields == null ? Map.of() : Map.copyOf(payloadFields);
    }

    public DiscoveredInstance(String name, String id, String address, int port, boolean enabled, int weight) {
        this(name, id, address, port, enabled, weight, Map.of());
    }

    public DiscoveredInstance(String name, String id, String address, int port, boolean enabled) {
        this(name, id, address, port, enabled, 1);
    }

    public Upstream upstream() {
        return new Upstream(address, port, weight);
    }
}
