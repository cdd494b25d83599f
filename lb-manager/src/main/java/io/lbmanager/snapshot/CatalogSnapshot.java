package io.lbmanager.snapshot;

import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The desired state at one instant, as an immutable value: the LB groups, the services
 * (keyed by id) and the instances to route (keyed by discovery name), after the discovery guard:
 * a discovery name in {@code held} shows its previous instances, for the reason given.
 * Rendering reads nothing else, so the same snapshot always renders the same bytes.
 * The maps are persistent ({@link PersistentSortedMap}): the next snapshot shares every service
 * and instance list that did not change, so taking one costs what changed, not the catalog.
 */
public record CatalogSnapshot(
        SortedSet<String> groups,
        SortedMap<String, ServiceRecord> services,
        SortedMap<String, List<DiscoveredInstance>> discovered,
        SortedMap<String, String> held) {

    public static final CatalogSnapshot EMPTY =
            new CatalogSnapshot(new TreeSet<>(), new TreeMap<>(), new TreeMap<>());

    public CatalogSnapshot {
        groups = Collections.unmodifiableSortedSet(new TreeSet<>(groups));
        services = PersistentSortedMap.copyOf(services);
        if (!(discovered instanceof PersistentSortedMap)) {
            TreeMap<String, List<DiscoveredInstance>> copy = new TreeMap<>();
            discovered.forEach((name, instances) -> copy.put(name, List.copyOf(instances)));
            discovered = PersistentSortedMap.copyOf(copy);
        }
        held = Collections.unmodifiableSortedMap(new TreeMap<>(held));
    }

    /** A snapshot with nothing held. */
    public CatalogSnapshot(SortedSet<String> groups, SortedMap<String, ServiceRecord> services,
                           SortedMap<String, List<DiscoveredInstance>> discovered) {
        this(groups, services, discovered, new TreeMap<>());
    }

    /** Services of {@code group} whose instances are held, by id, with why. */
    public SortedMap<String, String> heldServicesIn(String group) {
        TreeMap<String, String> heldServices = new TreeMap<>();
        if (held.isEmpty()) {
            return heldServices;
        }
        for (ServiceRecord service : servicesIn(group)) {
            String reason = held.get(service.definition().discoveryName());
            if (reason != null) {
                heldServices.put(service.id(), reason);
            }
        }
        return heldServices;
    }

    /** Services that name {@code group}, in id order. */
    public List<ServiceRecord> servicesIn(String group) {
        return services.values().stream().filter(s -> s.definition().groups().contains(group)).toList();
    }

    /** A service's upstreams: the ones registered through the API plus enabled discovered instances, sorted, no duplicates. */
    public List<Upstream> upstreamsOf(ServiceRecord service) {
        List<DiscoveredInstance> instances = discovered.getOrDefault(service.definition().discoveryName(), List.of());
        return Stream.concat(
                        service.staticUpstreams().stream(),
                        instances.stream().filter(DiscoveredInstance::enabled).map(DiscoveredInstance::upstream))
                .distinct()
                .sorted()
                .toList();
    }

    /** Discovery names that no service definition claims: seen (not merely held), but never routed. */
    public SortedSet<String> unroutedDiscoveryNames() {
        TreeSet<String> unrouted = new TreeSet<>(discovered.keySet());
        unrouted.removeAll(held.keySet());
        services.values().forEach(s -> unrouted.remove(s.definition().discoveryName()));
        return Collections.unmodifiableSortedSet(unrouted);
    }

    public CatalogSnapshot withService(ServiceRecord service) {
        return new CatalogSnapshot(groups, persistentServices().plus(service.id(), service), discovered, held);
    }

    public CatalogSnapshot withoutService(String serviceId) {
        return new CatalogSnapshot(groups, persistentServices().minus(serviceId), discovered, held);
    }

    /**
     * What differs from {@code earlier}: the ids of services added, removed or changed, and the
     * discovery names whose instances did (or may have: another list object). Costs about what
     * changed, since snapshots share what did not ({@link PersistentSortedMap#forEachChangedKey}).
     */
    public Changes changesSince(CatalogSnapshot earlier) {
        Set<String> serviceIds = new HashSet<>();
        Set<String> discoveryNames = new HashSet<>();
        persistentServices().forEachChangedKey(earlier.persistentServices(), serviceIds::add);
        persistentDiscovered().forEachChangedKey(earlier.persistentDiscovered(), discoveryNames::add);
        return new Changes(Collections.unmodifiableSet(serviceIds), Collections.unmodifiableSet(discoveryNames));
    }

    /** See {@link #changesSince}. */
    public record Changes(Set<String> serviceIds, Set<String> discoveryNames) {
    }

    /** The maps are persistent since the constructor made them so. */
    PersistentSortedMap<String, ServiceRecord> persistentServices() {
        return (PersistentSortedMap<String, ServiceRecord>) services;
    }

    PersistentSortedMap<String, List<DiscoveredInstance>> persistentDiscovered() {
        return (PersistentSortedMap<String, List<DiscoveredInstance>>) discovered;
    }
}
