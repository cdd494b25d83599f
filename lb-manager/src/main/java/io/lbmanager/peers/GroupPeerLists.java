package io.lbmanager.peers;

import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.render.InvalidOptionException;
import io.lbmanager.render.OptionDefaults;
import io.lbmanager.render.RenderOptions;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.DiscoveredInstance;
import io.lbmanager.snapshot.ServicesByDiscoveryName;

import io.lbmanager.zones.InstanceZones;
import io.lbmanager.zones.ServiceZones;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The peer lists of a group's services that the Lua balancer serves, by service id; the same rule
 * the renderer applies. Works per change: after a group's first snapshot, only the services the next
 * snapshot changed ({@link CatalogSnapshot#changesSince}: their definition, or the instances of their
 * discovery name) are derived again, so a discovery change at 50,000 services costs one derivation
 * and no walk over the group. Not thread-safe: the peer publisher's thread owns it.
 */
final class GroupPeerLists {

    private static final Logger LOG = LoggerFactory.getLogger(GroupPeerLists.class);

    /**
     * A group's lists since the last update: every list when {@code whole} (a service missing has
     * none), else only the services whose list changed, mapped to null when they have none now.
     */
    record Update(boolean whole, Map<String, PeerList> lists) {
    }

    /** What a service's list was derived from, and the list; {@code list} is null when the Lua balancer does not serve it. */
    private record Derivation(ServiceRecord service, List<DiscoveredInstance> instances, PeerList list) {

        boolean derivedFrom(ServiceRecord otherService, List<DiscoveredInstance> otherInstances) {
            return (service == otherService || service.equals(otherService))
                    && (instances == otherInstances || instances.equals(otherInstances));
        }
    }

    /** One group's derivations, and the snapshot they are of. */
    private static final class Group {
        CatalogSnapshot seen;
        final Map<String, Derivation> derivations = new HashMap<>();
        final ServicesByDiscoveryName byDiscoveryName = new ServicesByDiscoveryName();

        /** @return the list the service had before */
        PeerList put(String serviceId, Derivation derivation) {
            Derivation before = derivation == null ? derivations.remove(serviceId) : derivations.put(serviceId, derivation);
            byDiscoveryName.moved(serviceId, before == null ? null : before.service().definition().discoveryName(),
                    derivation == null ? null : derivation.service().definition().discoveryName());
            return before == null ? null : before.list();
        }
    }

    private final UpstreamMode mode;
    private final InstanceZones zones;
    private final Map<String, Group> byGroup = new HashMap<>();
    private final AtomicLong derivations = new AtomicLong();

    GroupPeerLists(UpstreamMode mode, InstanceZones zones) {
        this.mode = mode;
        this.zones = zones;
    }

    /** The group's lists in {@code snapshot}: whole the first time (and after {@link #forgetAll}), else what changed. */
    Update update(CatalogSnapshot snapshot, String group) {
        if (!mode.dynamic()) {
            return new Update(true, Map.of());
        }
        Group state = byGroup.get(group);
        if (state == null) {
            state = new Group();
            byGroup.put(group, state);
            Map<String, PeerList> all = new HashMap<>();
            for (ServiceRecord service : snapshot.servicesIn(group)) {
                Derivation derivation = derive(snapshot, service, null);
                state.put(service.id(), derivation);
                if (derivation.list() != null) {
                    all.put(service.id(), derivation.list());
                }
            }
            state.seen = snapshot;
            return new Update(true, Collections.unmodifiableMap(all));
        }
        Set<String> affected = state.byDiscoveryName.affectedBy(snapshot.changesSince(state.seen));
        Map<String, PeerList> changed = new HashMap<>();
        for (String serviceId : affected) {
            ServiceRecord service = snapshot.services().get(serviceId);
            boolean inGroup = service != null && service.definition().groups().contains(group);
            Derivation now = inGroup ? derive(snapshot, service, state.derivations.get(serviceId)) : null;
            PeerList before = state.put(serviceId, now);
            PeerList list = now == null ? null : now.list();
            if (list != before) {
                changed.put(serviceId, list);
            }
        }
        state.seen = snapshot;
        return new Update(false, Collections.unmodifiableMap(changed));
    }

    /** Forgets groups that are gone. */
    void retainGroups(Set<String> groups) {
        byGroup.keySet().retainAll(groups);
    }

    /** The next update of every group is whole: what was handed out before may not have been written. */
    void forgetAll() {
        byGroup.clear();
    }

    /** Peer lists derived so far (each from a service's definition and instances). */
    long derivations() {
        return derivations.get();
    }

    /** The earlier derivation when it was made from the same definition and instances, else a new one. */
    private Derivation derive(CatalogSnapshot snapshot, ServiceRecord service, Derivation earlier) {
        List<DiscoveredInstance> instances = snapshot.discovered().getOrDefault(service.definition().discoveryName(), List.of());
        if (earlier != null && earlier.derivedFrom(service, instances)) {
            return earlier;
        }
        derivations.incrementAndGet();
        return new Derivation(service, instances, listOf(snapshot, service, instances));
    }

    private PeerList listOf(CatalogSnapshot snapshot, ServiceRecord service, List<DiscoveredInstance> instances) {
        RenderOptions options;
        try {
            options = OptionDefaults.resolve(service.definition().options());
        } catch (InvalidOptionException e) {
            return null; // quarantined by the pipeline, which says why
        }
        List<Upstream> upstreams = snapshot.upstreamsOf(service);
        if (!mode.balancesDynamically(options, upstreams)) {
            return null;
        }
        ServiceZones serviceZones = zones.of(service, upstreams, instances);
        serviceZones.refused().forEach(reason -> LOG.warn("zone refused service={} {}", service.id(), reason));
        return new PeerList(service.id(), upstreams, serviceZones.zones(), serviceZones.panicPercent());
    }
}
