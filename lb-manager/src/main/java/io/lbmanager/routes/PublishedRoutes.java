package io.lbmanager.routes;

import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.contract.RouteLine;
import io.lbmanager.signing.VersionVerifier;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The routing tables a group's routes target and live versions point at, read and verified once
 * per version, for the views that say whether Nginx routes a service (the routing view, the
 * Baragon API's live check). A routed service has no location file: this is where it shows up.
 */
public final class PublishedRoutes {

    private record Known(long version, String sha256, RoutingTable table) {
    }

    private static final int KEPT_PER_GROUP = 2;

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final RoutesRolloutStore store;
    private final Optional<VersionVerifier> verifier;
    private final Map<String, RoutesReader> readers = new HashMap<>();
    private final Map<String, List<Known>> known = new HashMap<>();

    public PublishedRoutes(CuratorFramework client, ZkLayout layout, RoutesRolloutStore store, Optional<VersionVerifier> verifier) {
        this.client = client;
        this.layout = layout;
        this.store = store;
        this.verifier = verifier;
    }

    /** The route of {@code service} in the table every agent of the group confirmed, if it has one. */
    public Optional<RouteLine> liveRoute(String group, String service) throws Exception {
        return route(group, store.live(group).value(), service);
    }

    /** The services routed by the table the group's agents are told to hold; empty when it has none. */
    public Set<String> targetServices(String group) throws Exception {
        Optional<PublishedVersion> target = store.target(group).value();
        return target.isEmpty() ? Set.of() : table(group, target.get()).map(t -> t.routes().keySet()).orElse(Set.of());
    }

    /** The tables the group's agents may hold now: the live one, then the target when it differs (oldest first). */
    public List<RoutingTable> heldTables(String group) throws Exception {
        List<RoutingTable> tables = new ArrayList<>();
        Optional<PublishedVersion> live = store.live(group).value();
        Optional<PublishedVersion> target = store.target(group).value();
        if (live.isPresent()) {
            table(group, live.get()).ifPresent(tables::add);
        }
        if (target.isPresent() && !target.equals(live)) {
            table(group, target.get()).ifPresent(tables::add);
        }
        return tables;
    }

    /** The live routes version of the group; 0 when none is. */
    public long liveVersion(String group) {
        return store.live(group).value().map(PublishedVersion::version).orElse(0L);
    }

    private Optional<RouteLine> route(String group, Optional<PublishedVersion> version, String service) throws Exception {
        if (version.isEmpty()) {
            return Optional.empty();
        }
        Optional<RoutingTable> table = table(group, version.get());
        return table.flatMap(t -> t.route(service));
    }

    private synchronized Optional<RoutingTable> table(String group, PublishedVersion version) throws Exception {
        List<Known> kept = known.computeIfAbsent(group, g -> new ArrayList<>());
        for (Known k : kept) {
            if (k.version() == version.version() && k.sha256().equals(version.sha256())) {
                return Optional.of(k.table());
            }
        }
        RoutesReader reader = readers.computeIfAbsent(group, g -> new RoutesReader(client, layout, g, verifier));
        if (!(reader.read(version) instanceof RoutesReader.Read.Table read)) {
            return Optional.empty();
        }
        kept.add(0, new Known(version.version(), version.sha256(), read.table()));
        if (kept.size() > KEPT_PER_GROUP) {
            kept.remove(KEPT_PER_GROUP);
        }
        return Optional.of(read.table());
    }
}
