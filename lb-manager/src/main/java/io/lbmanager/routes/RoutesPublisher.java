package io.lbmanager.routes;

import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.signing.VersionSigner;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Publishes a group's routing table as a numbered, signed version: the chunks it lists that
 * ZooKeeper does not hold yet, the version node and the move of the routes target, in one
 * transaction. (Chunks are immutable and named by their hash; when the new ones together pass
 * {@link #TRANSACTION_BYTES}, as in a first publish of 50,000 services, the excess goes in
 * transactions before, which nothing references until the last one commits.) After each publish,
 * versions beyond the last {@code versionsKept} (but never target or live) and chunks no kept
 * version lists are deleted.
 */
public final class RoutesPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(RoutesPublisher.class);
    /** ZooKeeper refuses a node, and a whole transaction, near 1 MiB (jute.maxbuffer). */
    static final int MAX_CHUNK_BYTES = 900 * 1024;
    static final int TRANSACTION_BYTES = 700 * 1024;

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final int versionsKept;
    private final Optional<VersionSigner> signer;

    public RoutesPublisher(CuratorFramework client, ZkLayout layout, int versionsKept, Optional<VersionSigner> signer) {
        if (versionsKept < 2) {
            throw new IllegalArgumentException("at least 2 routes versions must be kept, not " + versionsKept);
        }
        this.client = client;
        this.layout = layout;
        this.versionsKept = versionsKept;
        this.signer = signer;
    }

    public sealed interface PublishOutcome {
        /** @param chunksWritten chunks that were new to ZooKeeper (one per changed shard) */
        record Published(PublishedVersion version, int chunksWritten, int transactions) implements PublishOutcome {
        }

        record Unchanged(PublishedVersion version) implements PublishOutcome {
        }

        record TooLarge(int shard, int bytes) implements PublishOutcome {
        }
    }

    public synchronized PublishOutcome publishIfChanged(RoutingTable table, String cause) throws Exception {
        String group = table.group();
        Stat targetStat = new Stat();
        Optional<PublishedVersion> current = read(layout.routesTarget(group), targetStat);
        if (current.isPresent() && current.get().sha256().equals(table.sha256())) {
            return new PublishOutcome.Unchanged(current.get());
        }
        List<RouteChunk> chunks = table.chunks();
        for (int shard = 0; shard < chunks.size(); shard++) {
            if (chunks.get(shard) != null && chunks.get(shard).gzip().length > MAX_CHUNK_BYTES) {
                return new PublishOutcome.TooLarge(shard, chunks.get(shard).gzip().length);
            }
        }
        Set<String> held = current.isPresent() ? chunksOf(group, current.get().version()) : Set.of();
        Map<String, RouteChunk> missing = new LinkedHashMap<>();
        for (RouteChunk chunk : chunks) {
            if (chunk != null && !held.contains(chunk.sha256()) && !missing.containsKey(chunk.sha256())
                    && client.checkExists().forPath(layout.routeChunk(group, chunk.sha256())) == null) {
                missing.put(chunk.sha256(), chunk);
            }
        }
        long next = Math.max(current.map(PublishedVersion::version).orElse(0L), newestStored(group)) + 1;
        long now = System.currentTimeMillis();
        RoutesVersion version = RoutesVersion.of(table, next, now, signer);
        PublishedVersion target = new PublishedVersion(group, next, table.sha256(), now, cause);
        ensurePersistent(layout.routeChunks(group));
        ensurePersistent(layout.routeVersions(group));
        ensurePersistent(layout.groupAgents(group));

        List<List<CuratorOp>> transactions = new ArrayList<>();
        List<CuratorOp> ops = new ArrayList<>();
        int bytes = 0;
        for (RouteChunk chunk : missing.values()) {
            if (!ops.isEmpty() && bytes + chunk.gzip().length > TRANSACTION_BYTES) {
                transactions.add(ops);
                ops = new ArrayList<>();
                bytes = 0;
            }
            ops.add(client.transactionOp().create().withMode(CreateMode.PERSISTENT)
                    .forPath(layout.routeChunk(group, chunk.sha256()), chunk.gzip()));
            bytes += chunk.gzip().length;
        }
        ops.add(client.transactionOp().create().withMode(CreateMode.PERSISTENT)
                .forPath(layout.routeVersion(group, next), Json.write(version)));
        ops.add(current.isPresent()
                ? client.transactionOp().setData().withVersion(targetStat.getVersion()).forPath(layout.routesTarget(group), Json.write(target))
                : client.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(layout.routesTarget(group), Json.write(target)));
        transactions.add(ops);
        for (List<CuratorOp> transaction : transactions) {
            client.transaction().forOperations(transaction);
        }
        LOG.info("routes publish group={} version={} services={} chunksWritten={} transactions={} cause={}", group, next, table.size(),
                missing.size(), transactions.size(), cause);
        collectGarbage(group);
        return new PublishOutcome.Published(target, missing.size(), transactions.size());
    }

    public Optional<PublishedVersion> target(String group) throws Exception {
        return read(layout.routesTarget(group), new Stat());
    }

    /** Versions still stored for the group, oldest first. */
    public List<Long> storedVersions(String group) throws Exception {
        try {
            return client.getChildren().forPath(layout.routeVersions(group)).stream()
                    .filter(name -> name.matches("[0-9]{1,18}"))
                    .map(Long::parseLong)
                    .sorted()
                    .toList();
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    /** Deletes versions beyond the last {@code versionsKept} (never target or live), then chunks no remaining version lists. */
    void collectGarbage(String group) throws Exception {
        List<Long> versions = storedVersions(group);
        long targetVersion = target(group).map(PublishedVersion::version).orElse(0L);
        long liveVersion = read(layout.routesLive(group), new Stat()).map(PublishedVersion::version).orElse(0L);
        List<Long> kept = new ArrayList<>();
        for (int i = 0; i < versions.size(); i++) {
            long version = versions.get(i);
            if (i >= versions.size() - versionsKept || version == targetVersion || version == liveVersion) {
                kept.add(version);
            } else {
                client.delete().quietly().forPath(layout.routeVersion(group, version));
            }
        }
        Set<String> referenced = new HashSet<>();
        for (long version : kept) {
            referenced.addAll(chunksOf(group, version));
        }
        int deleted = 0;
        for (String chunk : client.getChildren().forPath(layout.routeChunks(group))) {
            if (!referenced.contains(chunk)) {
                client.delete().quietly().forPath(layout.routeChunk(group, chunk));
                deleted++;
            }
        }
        if (deleted > 0 || kept.size() < versions.size()) {
            LOG.info("routes gc group={} versionsDeleted={} chunksDeleted={}", group, versions.size() - kept.size(), deleted);
        }
    }

    /** The chunk hashes a stored version lists; none when it is gone. A version node that does not parse keeps nothing alive. */
    private Set<String> chunksOf(String group, long version) throws Exception {
        String path = layout.routeVersion(group, version);
        try {
            RoutesVersion stored = Json.read(path, client.getData().forPath(path), RoutesVersion.class);
            Set<String> shas = new HashSet<>();
            if (stored.chunks() != null) {
                stored.chunks().stream().filter(sha -> sha != null).forEach(shas::add);
            }
            return shas;
        } catch (KeeperException.NoNodeException | CorruptNodeException e) {
            return Set.of();
        }
    }

    private long newestStored(String group) throws Exception {
        List<Long> versions = storedVersions(group);
        return versions.isEmpty() ? 0 : versions.get(versions.size() - 1);
    }

    private Optional<PublishedVersion> read(String path, Stat stat) throws Exception {
        try {
            return Optional.of(Json.read(path, client.getData().storingStatIn(stat).forPath(path), PublishedVersion.class));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    private void ensurePersistent(String path) throws Exception {
        try {
            client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(path);
        } catch (KeeperException.NodeExistsException ignored) {
            // already there
        }
    }
}
