package io.lbmanager.render;

import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.contract.RouteLine;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.DiscoveredInstance;
import io.lbmanager.snapshot.ServicesByDiscoveryName;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The routed lines of {@link RoutedServices#of}, kept per group and updated per change (the routes
 * pipeline's pass): after a group's first snapshot, only the services the next snapshot changed
 * ({@link CatalogSnapshot#changesSince}: their definition, static upstreams or the instances of
 * their discovery name) get a model and line again, and only they are classified again, unless a
 * file-rendered service changed (it may shadow any routed one: then every service is). One caller
 * at a time per group.
 */
public final class RoutedServicesCache {

    /**
     * A group's routed lines: every service's when {@code whole}, else only the services whose
     * line changed since the update before; null for a service that is not routed (now).
     */
    public record Update(boolean whole, Map<String, RouteLine> lines) {
    }

    /** What one service was made into, and from what. */
    private static final class Made {
        final ServiceRecord service;
        final List<DiscoveredInstance> discovered;
        final Map<String, Object> model;
        RoutedServices.Route route;
        boolean lineRefused;

        Made(ServiceRecord service, List<DiscoveredInstance> discovered, Map<String, Object> model) {
            this.service = service;
            this.discovered = discovered;
            this.model = model;
        }

        boolean madeFrom(ServiceRecord other, List<DiscoveredInstance> otherDiscovered) {
            return ServiceModel.sameInputs(service, discovered, other, otherDiscovered);
        }

        /** A service the Lua balancer does not serve is rendered as files, and may shadow routed ones. */
        boolean fileRendered() {
            return model != null && !Boolean.TRUE.equals(model.get("dynamicPeers"));
        }

        String basePath() {
            return (String) model.get("basePath");
        }

        /** The line, or null when it refuses a value of the model (the config pipeline says which). */
        RouteLine line() {
            if (route == null && !lineRefused) {
                try {
                    route = RoutedServices.routeOf(model);
                } catch (IllegalArgumentException e) {
                    lineRefused = true;
                }
            }
            return route == null ? null : route.line();
        }
    }

    /** One group's services as made, and what they came to. */
    private static final class Group {
        CatalogSnapshot seen;
        final Map<String, Made> made = new HashMap<>();
        final ServicesByDiscoveryName byDiscoveryName = new ServicesByDiscoveryName();
        /** The file-rendered services' base paths: base path -> service id. */
        final Map<String, String> fileRenderedPaths = new HashMap<>();
        final Map<String, RouteLine> lines = new HashMap<>();

        /** @return whether the file-rendered base paths changed */
        boolean put(String serviceId, Made now) {
            Made before = now == null ? made.remove(serviceId) : made.put(serviceId, now);
            if (before == now) {
                return false;
            }
            byDiscoveryName.moved(serviceId, before == null ? null : before.service.definition().discoveryName(),
                    now == null ? null : now.service.definition().discoveryName());
            if (before != null && before.fileRendered()) {
                fileRenderedPaths.remove(before.basePath(), serviceId);
            }
            if (now != null && now.fileRendered()) {
                fileRenderedPaths.put(now.basePath(), serviceId);
            }
            return (before != null && before.fileRendered()) || (now != null && now.fileRendered());
        }

        /** The service's line when Lua routes it: its model was made, the Lua balancer serves it, nothing shadows it. */
        RouteLine lineOf(Made made) {
            if (made == null || made.model == null || made.fileRendered()) {
                return null;
            }
            if (!fileRenderedPaths.isEmpty() && RoutedServices.fileRenderedAncestor(made.basePath(), fileRenderedPaths) != null) {
                return null;
            }
            return made.line();
        }
    }

    private final UpstreamMode mode;
    private final Map<String, Group> byGroup = new ConcurrentHashMap<>();

    public RoutedServicesCache(UpstreamMode mode) {
        this.mode = mode;
    }

    /** The group's routed lines in {@code snapshot}: whole the first time (and after {@link #forget}), else what changed. */
    public Update update(CatalogSnapshot snapshot, String group) {
        if (!mode.luaRouting()) {
            return new Update(true, Map.of());
        }
        Group state = byGroup.get(group);
        boolean whole = state == null;
        Set<String> affected;
        if (whole) {
            state = new Group();
            byGroup.put(group, state);
            affected = new HashSet<>();
            snapshot.servicesIn(group).forEach(service -> affected.add(service.id()));
        } else {
            affected = state.byDiscoveryName.affectedBy(snapshot.changesSince(state.seen));
        }
        boolean fileRenderedChanged = false;
        for (String serviceId : affected) {
            fileRenderedChanged |= state.put(serviceId, made(snapshot, group, serviceId, state.made.get(serviceId)));
        }
        if (fileRenderedChanged) {
            affected.addAll(state.made.keySet());
        }
        Map<String, RouteLine> changed = new HashMap<>();
        for (String serviceId : affected) {
            RouteLine line = state.lineOf(state.made.get(serviceId));
            RouteLine before = line == null ? state.lines.remove(serviceId) : state.lines.put(serviceId, line);
            if (whole || !Objects.equals(before, line)) {
                changed.put(serviceId, line);
            }
        }
        state.seen = snapshot;
        return new Update(whole, Collections.unmodifiableMap(changed));
    }

    /** Forgets every group not in {@code groups}. */
    public void retainGroups(Collection<String> groups) {
        byGroup.keySet().retainAll(Set.copyOf(groups));
    }

    /** The next update of {@code group} is whole. */
    public void forget(String group) {
        byGroup.remove(group);
    }

    /** The service as made for {@code group}: {@code earlier} when made from the same inputs; null when not in the group. */
    private Made made(CatalogSnapshot snapshot, String group, String serviceId, Made earlier) {
        ServiceRecord service = snapshot.services().get(serviceId);
        if (service == null || !service.definition().groups().contains(group)) {
            return null;
        }
        List<DiscoveredInstance> discovered = snapshot.discovered().get(service.definition().discoveryName());
        if (earlier != null && earlier.madeFrom(service, discovered)) {
            return earlier;
        }
        try {
            return new Made(service, discovered, ServiceModel.of(service, snapshot.upstreamsOf(service), mode));
        } catch (ServiceModel.Rejected e) {
            return new Made(service, discovered, null);
        }
    }
}
