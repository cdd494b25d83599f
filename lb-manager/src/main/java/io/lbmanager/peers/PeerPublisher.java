package io.lbmanager.peers;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.discovery.DiscoveryGuard;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.SnapshotSource;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * On the leading manager, writes each dynamically balanced service's peers to
 * {@code groups/{group}/peers/{service}} as soon as discovery or the catalog changes: no
 * coalescing delay, no render, no {@code nginx -t}, because a peer list is data the Lua balancer
 * reads, not config. Only nodes whose list changed are written. The discovery guard applies here
 * exactly as it does to rendering, so a mass expiry holds the previous peers.
 */
public final class PeerPublisher implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(PeerPublisher.class);
    private static final long RETRY_MILLIS = 1_000;

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final SnapshotSource source;
    private final DiscoveryGuard guard;
    private final UpstreamMode mode;
    private final GroupPeerLists peerLists;
    private final BooleanSupplier isLeader;
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "peer-publisher"));
    private final AtomicBoolean queued = new AtomicBoolean();
    private final AtomicLong writes = new AtomicLong();
    /** What the group's peer nodes hold, as far as this manager knows; touched by the executor thread only. */
    private final Map<String, Map<String, PeerList>> written = new HashMap<>();

    public PeerPublisher(CuratorFramework client, ZkLayout layout, SnapshotSource source, DiscoveryGuard guard,
                         UpstreamMode mode, BooleanSupplier isLeader) {
        this.client = client;
        this.layout = layout;
        this.source = source;
        this.guard = guard;
        this.mode = mode;
        this.peerLists = new GroupPeerLists(mode);
        this.isLeader = isLeader;
    }

    /** Something changed: publish now, or right after the publish in progress. */
    public void changed() {
        if (mode.dynamic() && queued.compareAndSet(false, true)) {
            executor.execute(this::publishQueued);
        }
    }

    /** Peer-list nodes created, changed or deleted since start. */
    public long writes() {
        return writes.get();
    }

    /** Peer lists derived from a service's definition and instances since start. */
    long derivations() {
        return peerLists.derivations();
    }

    @Override
    public void start() {
        changed();
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
            executor.schedule(this::changed, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    void publish() throws Exception {
        if (!isLeader.getAsBoolean() || !source.isComplete()) {
            written.clear();
            return;
        }
        CatalogSnapshot current = source.current();
        DiscoveryGuard.Guarded guarded = guard.guard(current.discovered(), System.currentTimeMillis());
        CatalogSnapshot snapshot = new CatalogSnapshot(current.groups(), current.services(), guarded.view());
        peerLists.retainGroups(snapshot.groups());
        for (String group : snapshot.groups()) {
            publishGroup(group, peerLists.of(snapshot, group));
        }
        for (String gone : Set.copyOf(written.keySet())) {
            if (!snapshot.groups().contains(gone)) {
                publishGroup(gone, new TreeMap<>());
                written.remove(gone);
            }
        }
    }

    private void publishGroup(String group, SortedMap<String, PeerList> desired) throws Exception {
        Map<String, PeerList> known = written.get(group);
        if (known == null) {
            known = readStored(group);
            written.put(group, known);
        }
        for (PeerList list : desired.values()) {
            PeerList stored = known.get(list.service());
            if (stored != list) {
                if (!list.equals(stored)) {
                    write(layout.groupPeerList(group, list.service()), list.encode());
                }
                known.put(list.service(), list); // the same instance next time: compared by identity
            }
        }
        for (Iterator<String> services = known.keySet().iterator(); services.hasNext(); ) {
            String service = services.next();
            if (!desired.containsKey(service)) {
                delete(layout.groupPeerList(group, service));
                services.remove();
            }
        }
    }

    private Map<String, PeerList> readStored(String group) throws Exception {
        Map<String, PeerList> stored = new HashMap<>();
        List<String> children;
        try {
            children = client.getChildren().forPath(layout.groupPeers(group));
        } catch (KeeperException.NoNodeException e) {
            return stored;
        }
        for (String service : children) {
            String path = layout.groupPeerList(group, service);
            try {
                stored.put(service, PeerList.parse(path, client.getData().forPath(path)));
            } catch (CorruptNodeException e) {
                LOG.warn("{}; deleting it, the current list is written anew", e.getMessage());
                delete(path);
            } catch (KeeperException.NoNodeException ignored) {
                // deleted meanwhile
            }
        }
        return stored;
    }

    private void write(String path, byte[] bytes) throws Exception {
        try {
            client.setData().forPath(path, bytes);
        } catch (KeeperException.NoNodeException e) {
            client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(path, bytes);
        }
        writes.incrementAndGet();
    }

    private void delete(String path) throws Exception {
        try {
            client.delete().forPath(path);
            writes.incrementAndGet();
        } catch (KeeperException.NoNodeException ignored) {
            // already gone
        }
    }
}
