package io.lbmanager.catalog;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a service team declares: which path it owns on which LB groups, and typed options
 * from the allow-list. Only ever constructed from input that {@code ServiceValidator} accepted.
 *
 * @param discoveryName the Curator x-discovery service name whose instances become this
 *                      service's upstreams; defaults to the id
 */
public record ServiceDefinition(
        String id,
        List<String> owners,
        String basePath,
        List<String> groups,
        Map<String, Object> options,
        String discoveryName) {

    public ServiceDefinition {
        owners = List.copyOf(owners);
        groups = List.copyOf(groups);
        // Sorted, so the same definition always serialises to the same bytes.
        options = Collections.unmodifiableSortedMap(new TreeMap<>(options));
    }
}
