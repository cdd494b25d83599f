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

import java.util.HashMap;
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
    private static final long UNBUCKETED_DELETE_DELAY_MILLIS = 10_000;

    private final PeerNodes nodes;
    private final UpstreamMode mode;
    private final GroupPeerLists peerLists;
    private final BooleanSupplier isLeader;
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "peer-publisher"));
    private final AtomicBoolean queued = new AtomicBoolean();
    /** What the group's peer buckets hold, as far as this manager knows; touched by the executor thread only. */
    private final Map<String, StoredPeerLists> written = new HashMap<>();

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
                nodes.deleteUnbucketed(gone);
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
        StoredPeerLists stored = storedLists(group);
        update.lists().forEach((service, list) -> {
            if (list == null) {
                stored.remove(service);
            } else {
                stored.put(list);
            }
        });
        if (update.whole()) {
            stored.services().stream().filter(service -> !update.lists().containsKey(service)).forEach(stored::remove);
        }
        nodes.write(group, stored);
    }

    /** What the group's buckets hold, as far as this manager knows: read from ZooKeeper the first time. */
    private StoredPeerLists storedLists(String group) throws Exception {
        StoredPeerLists stored = written.get(group);
        if (stored == null) {
            stored = nodes.read(group);
            written.put(group, stored);
            if (nodes.hasUnbucketed(group)) {
                executor.schedule(() -> deleteUnbucketed(group), UNBUCKETED_DELETE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
        return stored;
    }

    /**
     * Deletes the group's one-node-per-service lists of the layout before buckets, a while after the
     * buckets were written: an agent follows both layouts with two watches whose events may come in
     * either order, and a list deleted there before the agent saw its bucket would leave Nginx without it.
     */
    private void deleteUnbucketed(String group) {
        if (!isLeader.getAsBoolean() || !written.containsKey(group)) {
            return;
        }
        try {
            int deleted = nodes.deleteUnbucketed(group);
            LOG.info("peer lists group={}: deleted {} nodes of the layout before buckets", group, deleted);
        } catch (Exception e) {
            LOG.warn("peer lists group={}: nodes of the layout before buckets not deleted ({}); retrying in {} ms", group, e, RETRY_MILLIS);
            executor.schedule(() -> deleteUnbucketed(group), RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
