package io.lbmanager.render;

import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.DiscoveredInstance;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link RoutedServices#of} for the same groups again and again (the routes pipeline's pass per
 * catalog change): a service's model and route line are made again only when its definition,
 * static upstreams or discovered instances changed (snapshots share what did not change), so a
 * pass at 50,000 services walks the catalog instead of rebuilding it. Gives what
 * {@link RoutedServices#of} gives for the same snapshot. One caller at a time per group.
 */
public final class RoutedServicesCache {

    /** What one service was made into, and from what. */
    private static final class Made {
        final ServiceRecord service;
        final List<DiscoveredInstance> discovered;
        final Map<String, Object> model;
        final RoutedServices.Refusal rejected;
        RoutedServices.Route route;

        Made(ServiceRecord service, List<DiscoveredInstance> discovered, Map<String, Object> model, RoutedServices.Refusal rejected) {
            this.service = service;
            this.discovered = discovered;
            this.model = model;
            this.rejected = rejected;
        }

        boolean madeFrom(ServiceRecord other, List<DiscoveredInstance> otherDiscovered) {
            return ServiceModel.sameInputs(service, discovered, other, otherDiscovered);
        }
    }

    private final UpstreamMode mode;
    private final Map<String, Map<String, Made>> byGroup = new ConcurrentHashMap<>();

    public RoutedServicesCache(UpstreamMode mode) {
        this.mode = mode;
    }

    public RoutedServices.Table of(CatalogSnapshot snapshot, String group) {
        Map<String, Made> before = byGroup.getOrDefault(group, Map.of());
        Map<String, Made> now = new HashMap<>();
        List<Map<String, Object>> models = new ArrayList<>();
        SortedMap<String, RoutedServices.Refusal> unrenderable = new TreeMap<>();
        for (ServiceRecord service : snapshot.servicesIn(group)) {
            List<DiscoveredInstance> discovered = snapshot.discovered().get(service.definition().discoveryName());
            Made made = before.get(service.id());
            if (made == null || !made.madeFrom(service, discovered)) {
                made = make(snapshot, service, discovered);
            }
            now.put(service.id(), made);
            if (made.rejected != null) {
                unrenderable.put(service.id(), made.rejected);
            } else {
                models.add(made.model);
            }
        }
        byGroup.put(group, now);
        return RoutedServices.over(models, mode, model -> routeOf(now.get((String) model.get("id")))).alsoRefusing(unrenderable);
    }

    /** Forgets every group not in {@code groups}. */
    public void retainGroups(Collection<String> groups) {
        byGroup.keySet().retainAll(Set.copyOf(groups));
    }

    private Made make(CatalogSnapshot snapshot, ServiceRecord service, List<DiscoveredInstance> discovered) {
        try {
            return new Made(service, discovered, ServiceModel.of(service, snapshot.upstreamsOf(service), mode), null);
        } catch (ServiceModel.Rejected e) {
            return new Made(service, discovered, null, new RoutedServices.Refusal(e.field(), e.getMessage()));
        }
    }

    private static RoutedServices.Route routeOf(Made made) {
        if (made.route == null) {
            made.route = RoutedServices.routeOf(made.model);
        }
        return made.route;
    }
}
