package io.lbmanager.peers;

import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.render.InvalidOptionException;
import io.lbmanager.render.OptionDefaults;
import io.lbmanager.render.RenderOptions;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.DiscoveredInstance;

import io.lbmanager.zones.InstanceZones;
import io.lbmanager.zones.ServiceZones;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The peer lists of a group's services that the Lua balancer serves, by service id; the same rule
 * the renderer applies. A service's list is derived again only when its definition or its
 * discovered instances differ from the last snapshot's, so a discovery change costs one derivation,
 * not one per service of the group. Not thread-safe: the peer publisher's thread owns it.
 */
final class GroupPeerLists {

    private static final Logger LOG = LoggerFactory.getLogger(GroupPeerLists.class);

    /** What a service's list was derived from, and the list; {@code list} is null when the Lua balancer does not serve it. */
    private record Derivation(ServiceRecord service, List<DiscoveredInstance> instances, PeerList list) {

        boolean derivedFrom(ServiceRecord otherService, List<DiscoveredInstance> otherInstances) {
            return (service == otherService || service.equals(otherService))
                    && (instances == otherInstances || instances.equals(otherInstances));
        }
    }

    private final UpstreamMode mode;
    private final InstanceZones zones;
    private final Map<String, Map<String, Derivation>> byGroup = new HashMap<>();
    private final AtomicLong derivations = new AtomicLong();

    GroupPeerLists(UpstreamMode mode, InstanceZones zones) {
        this.mode = mode;
        this.zones = zones;
    }

    SortedMap<String, PeerList> of(CatalogSnapshot snapshot, String group) {
        TreeMap<String, PeerList> lists = new TreeMap<>();
        if (!mode.dynamic()) {
            return lists;
        }
        Map<String, Derivation> previous = byGroup.getOrDefault(group, Map.of());
        Map<String, Derivation> current = new HashMap<>();
        for (ServiceRecord service : snapshot.servicesIn(group)) {
            List<DiscoveredInstance> instances = snapshot.discovered().getOrDefault(service.definition().discoveryName(), List.of());
            Derivation derivation = previous.get(service.id());
            if (derivation == null || !derivation.derivedFrom(service, instances)) {
                derivation = new Derivation(service, instances, derive(snapshot, service, instances));
                derivations.incrementAndGet();
            }
            current.put(service.id(), derivation);
            if (derivation.list() != null) {
                lists.put(service.id(), derivation.list());
            }
        }
        byGroup.put(group, current);
        return lists;
    }

    /** Forgets groups that are gone. */
    void retainGroups(Set<String> groups) {
        byGroup.keySet().retainAll(groups);
    }

    /** Peer lists derived so far (each from a service's definition and instances). */
    long derivations() {
        return derivations.get();
    }

    private PeerList derive(CatalogSnapshot snapshot, ServiceRecord service, List<DiscoveredInstance> instances) {
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
