package io.lbmanager.routes;

import io.lbmanager.contract.RouteLine;
import io.lbmanager.render.RoutedServicesCache;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.snapshot.CatalogSnapshot;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One group's routing table as the routes pipeline builds it, pass after pass, per change: the
 * routed lines the catalog gives ({@link RoutedServicesCache}), with each route whose option
 * profile the group's config target lacks held at the line proposed before ({@link ProposedRoutes})
 * or left out. While no route waits for a profile and the profiles stay, a pass touches only the
 * services that changed; otherwise it sorts out every route again. Pass thread only.
 */
public final class GroupRoutes {

    /** A pass's table, and whether some route waits for its profile (held at its line before, or left out). */
    public record Built(RoutingTable table, boolean waiting) {
    }

    private final String group;
    private final RoutedServicesCache catalog;
    private final ProposedRoutes proposed;
    /** Every routed line the catalog gives, by service id. */
    private final Map<String, RouteLine> routes = new HashMap<>();
    /** What goes into the table, per shard: the routes whose profile the config has, and held lines. */
    private final List<TreeMap<String, RouteLine>> lines = new ArrayList<>();
    /** The shards whose lines changed since {@link #built}. */
    private final BitSet changedShards = new BitSet(RoutingTable.SHARDS);
    private Set<String> profiles;
    private boolean waiting;
    private RoutingTable built;

    public GroupRoutes(String group, UpstreamMode mode, ProposedRoutes proposed) {
        this.group = group;
        this.catalog = new RoutedServicesCache(mode);
        this.proposed = proposed;
        for (int i = 0; i < RoutingTable.SHARDS; i++) {
            lines.add(new TreeMap<>());
        }
    }

    /** The group's table for {@code snapshot} when its config target has {@code configProfiles}. */
    public Built build(CatalogSnapshot snapshot, Set<String> configProfiles) {
        Map<String, RouteLine> changed = routesIn(snapshot);
        boolean again = waiting || !configProfiles.equals(profiles)
                || changed.values().stream().anyMatch(line -> line != null && !configProfiles.contains(line.profile()));
        profiles = Set.copyOf(configProfiles);
        if (again) {
            sortOutEveryRoute();
        } else {
            changed.forEach(this::put);
        }
        if (built == null) {
            built = RoutingTable.of(group, allLines());
        } else if (!changedShards.isEmpty()) {
            Map<Integer, List<RouteLine>> replaced = new HashMap<>();
            changedShards.stream().forEach(shard -> replaced.put(shard, List.copyOf(lines.get(shard).values())));
            built = RoutingTable.withShards(built, replaced);
        }
        changedShards.clear();
        return new Built(built, waiting);
    }

    /** Sets the service's line in the table (null: none), noting its shard when that changed anything. */
    private void put(String serviceId, RouteLine line) {
        int shard = RoutingTable.shard(serviceId);
        RouteLine before = line == null ? lines.get(shard).remove(serviceId) : lines.get(shard).put(serviceId, line);
        if (!Objects.equals(before, line)) {
            changedShards.set(shard);
        }
    }

    private List<RouteLine> allLines() {
        List<RouteLine> all = new ArrayList<>();
        lines.forEach(shard -> all.addAll(shard.values()));
        return all;
    }

    /** Applies the catalog's update to {@link #routes}; returns the lines that changed (null: gone). */
    private Map<String, RouteLine> routesIn(CatalogSnapshot snapshot) {
        RoutedServicesCache.Update update;
        try {
            update = catalog.update(snapshot, group);
        } catch (RuntimeException e) {
            catalog.forget(group);
            throw e;
        }
        if (update.whole()) {
            routes.clear();
            waiting = true; // sort out every route
        }
        update.lines().forEach((serviceId, line) -> {
            if (line == null) {
                routes.remove(serviceId);
            } else {
                routes.put(serviceId, line);
            }
        });
        return update.lines();
    }

    /**
     * The routes whose profile the config target has; for a route whose profile it lacks, the line
     * proposed before for that service when its profile is there and its base path is free.
     */
    private void sortOutEveryRoute() {
        Map<String, RouteLine> ready = new HashMap<>();
        List<RouteLine> held = new ArrayList<>();
        Set<String> basePaths = new HashSet<>();
        for (RouteLine route : routes.values()) {
            if (profiles.contains(route.profile())) {
                ready.put(route.serviceId(), route);
                basePaths.add(route.basePath());
            } else {
                proposed.lineOf(group, route.serviceId()).filter(line -> profiles.contains(line.profile())).ifPresent(held::add);
            }
        }
        waiting = ready.size() < routes.size();
        held.stream().filter(line -> basePaths.add(line.basePath())).forEach(line -> ready.put(line.serviceId(), line));
        for (TreeMap<String, RouteLine> shard : lines) {
            List.copyOf(shard.keySet()).stream().filter(serviceId -> !ready.containsKey(serviceId)).forEach(serviceId -> put(serviceId, null));
        }
        ready.forEach(this::put);
    }
}
