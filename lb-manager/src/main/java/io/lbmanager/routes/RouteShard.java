package io.lbmanager.routes;

import io.lbmanager.contract.RouteLine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lines of one shard of a {@link RoutingTable}, sorted by service id, with what the table asks
 * of a shard without walking it: which service holds a base path, which profiles its lines name,
 * and its chunk (encoded once, on first use). Immutable; tables that share a shard share this
 * object, so an unchanged shard is never checked, compared or encoded again.
 */
final class RouteShard {

    static final RouteShard EMPTY = new RouteShard(List.of(), Map.of(), Set.of());

    private final List<RouteLine> lines;
    private final Map<String, String> serviceByBasePath;
    private final Set<String> profiles;
    private RouteChunk chunk;

    private RouteShard(List<RouteLine> lines, Map<String, String> serviceByBasePath, Set<String> profiles) {
        this.lines = lines;
        this.serviceByBasePath = serviceByBasePath;
        this.profiles = profiles;
    }

    /**
     * @param shardCount  the shards of its table
     * @param sortedLines the shard's lines, sorted by service id
     * @throws IllegalArgumentException when a line is not of shard {@code index}, is out of order or
     *                                  repeats a service id, or two lines share a base path
     */
    static RouteShard of(String group, int index, int shardCount, List<RouteLine> sortedLines) {
        if (sortedLines.isEmpty()) {
            return EMPTY;
        }
        Map<String, String> serviceByBasePath = new HashMap<>();
        Set<String> profiles = new HashSet<>();
        String previous = null;
        for (RouteLine line : sortedLines) {
            String service = line.serviceId();
            if (RoutingTable.shard(service, shardCount) != index) {
                throw new IllegalArgumentException("routing table of group " + group + ": service " + service
                        + " is not of shard " + index);
            }
            if (previous != null && previous.compareTo(service) >= 0) {
                throw new IllegalArgumentException(previous.equals(service)
                        ? "routing table of group " + group + " has service " + service + " twice"
                        : "routing table of group " + group + ": service " + service + " is out of order in shard " + index);
            }
            previous = service;
            String other = serviceByBasePath.putIfAbsent(line.basePath(), service);
            if (other != null) {
                throw RoutingTable.sharedBasePath(group, other, service, line.basePath());
            }
            profiles.add(line.profile());
        }
        return new RouteShard(Collections.unmodifiableList(new ArrayList<>(sortedLines)), serviceByBasePath,
                Collections.unmodifiableSet(profiles));
    }

    List<RouteLine> lines() {
        return lines;
    }

    boolean isEmpty() {
        return lines.isEmpty();
    }

    /** The service of this shard whose base path is {@code basePath}; null when none is. */
    String serviceAt(String basePath) {
        return serviceByBasePath.get(basePath);
    }

    Set<String> profiles() {
        return profiles;
    }

    /** The shard's chunk; null for a shard without services. */
    synchronized RouteChunk chunk() {
        if (chunk == null && !lines.isEmpty()) {
            chunk = RouteChunk.encode(lines);
        }
        return chunk;
    }
}
