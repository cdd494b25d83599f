package io.lbmanager.peers;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.SnapshotChange;
import io.lbmanager.snapshot.SnapshotListener;
import io.lbmanager.zk.Leadership;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.zones.InstanceZones;
import io.lbmanager.zones.ZoneRanges;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * On the leading manager, writes each dynamically balanced service's peers to
 * {@code groups/{group}/peers/{service}} as soon as discovery or the catalog changes: no
 * coalescing delay, no render, no {@code nginx -t}, because a peer list is data the Lua balancer
 * reads, not config. Only nodes whose list changed are written. It reads the same guarded
 * snapshot as rendering, so a mass expiry holds the previous peers here too.
 */
public final class PeerPublisher implements Managed, SnapshotListener, Leadership.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(PeerPublisher.class);
    private static final long RETRY_MILLIS = 1_000;

    private final PeerNodes nodes;
    private final UpstreamMode mode;
    private final GroupPeerLists peerLists;
    private final BooleanSupplier isLeader;
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "peer-publisher"));
    private final AtomicBoolean queued = new AtomicBoolean();
    /** What the group's peer nodes hold, as far as this manager knows; touched by the executor thread only. */
    private final Map<String, Map<String, PeerList>> written = new HashMap<>();

    private volatile CatalogSnapshot latest;

    public PeerPublisher(CuratorFramework client, ZkLayout layout, UpstreamMode mode, BooleanSupplier isLeader) {
        this(client, layout, mode, isLeader, ZoneRanges.NONE);
    }

    /** @param zoneRanges the operator's address range -> zone map (a service may name a payload field instead) */
    public PeerPublisher(CuratorFramework client, ZkLayout layout, UpstreamMode mode, BooleanSupplier isLeader, ZoneRanges zoneRanges) {
        this.nodes = new PeerNodes(client, layout);
        this.mode = mode;
        this.peerLists = new GroupPeerLists(mode, new InstanceZones(zoneRanges));
        this.isLeader = isLeader;
    }

    @Override
    public void snapshotChanged(CatalogSnapshot snapshot, SnapshotChange change) {
        latest = snapshot;
        publishSoon();
    }

    @Override
    public void leadershipGained() {
        publishSoon();
    }

    /** Publishes the latest snapshot now, or right after the publish in progress. */
    private void publishSoon() {
        if (mode.dynamic() && queued.compareAndSet(false, true)) {
            executor.execute(this::publishQueued);
        }
    }

    /** Peer-list nodes created, changed or deleted since start. */
    public long writes() {
        return nodes.writes();
    }

    /** Peer lists derived from a service's definition and instances since start. */
    long derivations() {
        return peerLists.derivations();
    }

    @Override
    public void start() {
    }

    @Override
    public void stop() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }

    private void publishQueued() {
        queued.set(false);
        try {
            publish();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("peer lists not published ({}); retrying in {} ms", e.toString(), RETRY_MILLIS);
            written.clear();
            peerLists.forgetAll();
            executor.schedule(this::publishSoon, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    void publish() throws Exception {
        CatalogSnapshot snapshot = latest;
        if (!isLeader.getAsBoolean() || snapshot == null) {
            written.clear();
            peerLists.forgetAll();
            return;
        }
        long start = System.nanoTime();
        long writesBefore = nodes.writes();
        peerLists.retainGroups(snapshot.groups());
        for (String group : snapshot.groups()) {
            publishGroup(group, peerLists.update(snapshot, group));
        }
        for (String gone : Set.copyOf(written.keySet())) {
            if (!snapshot.groups().contains(gone)) {
                publishGroup(gone, new GroupPeerLists.Update(true, Map.of()));
                written.remove(gone);
            }
        }
        LOG.debug("peers published services={} writes={} publishMs={}", snapshot.services().size(),
                nodes.writes() - writesBefore, millis(start, System.nanoTime()));
    }

    private static double millis(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 100_000 / 10.0;
    }

    private void publishGroup(String group, GroupPeerLists.Update update) throws Exception {
        Map<String, PeerList> known = knownNodes(group);
        List<PeerList> changed = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        update.lists().forEach((service, list) -> {
            PeerList stored = known.get(service);
            if (list == null) {
                if (stored != null) {
                    gone.add(service);
                }
            } else if (stored != list) {
                if (list.equals(stored)) {
                    known.put(service, list); // the same instance next time: compared by identity
                } else {
                    changed.add(list);
                }
            }
        });
        if (update.whole()) {
            known.keySet().stream().filter(service -> !update.lists().containsKey(service)).forEach(gone::add);
        }
        nodes.update(group, changed, known.keySet(), gone);
        changed.forEach(list -> known.put(list.service(), list));
        gone.forEach(known::remove);
    }

    /** What the group's nodes hold, as far as this manager knows: read from ZooKeeper the first time. */
    private Map<String, PeerList> knownNodes(String group) throws Exception {
        Map<String, PeerList> known = written.get(group);
        if (known == null) {
            known = nodes.read(group);
            written.put(group, known);
        }
        return known;
    }
}
