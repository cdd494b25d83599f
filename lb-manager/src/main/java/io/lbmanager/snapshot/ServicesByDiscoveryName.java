package io.lbmanager.snapshot;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which services use each discovery name, kept by a consumer of snapshots that works per change:
 * a changed discovery name affects every service that routes its instances. Not thread-safe.
 */
public final class ServicesByDiscoveryName {

    private final Map<String, Set<String>> serviceIds = new HashMap<>();

    /** The service used {@code before} (null: none) and uses {@code now} (null: none). */
    public void moved(String serviceId, String before, String now) {
        if (before != null && before.equals(now)) {
            return;
        }
        if (before != null) {
            Set<String> ids = serviceIds.get(before);
            ids.remove(serviceId);
            if (ids.isEmpty()) {
                serviceIds.remove(before);
            }
        }
        if (now != null) {
            serviceIds.computeIfAbsent(now, name -> new HashSet<>()).add(serviceId);
        }
    }

    /** The services {@code changes} may have changed: those changed, and those using a changed discovery name. */
    public Set<String> affectedBy(CatalogSnapshot.Changes changes) {
        Set<String> affected = new HashSet<>(changes.serviceIds());
        for (String name : changes.discoveryNames()) {
            affected.addAll(serviceIds.getOrDefault(name, Set.of()));
        }
        return affected;
    }
}
