package io.lbmanager.routes;

import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.contract.RouteLine;
import io.lbmanager.signing.VersionVerifier;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a group's routing table versions from ZooKeeper and trusts none of it: the version node
 * must be signed (when a verifier is given) and well-formed, every chunk must hash to its name and
 * hold valid lines of its shard, and the whole must be a table ({@link RoutingTable#withShards}). Keeps
 * the last table it read, so the next read fetches, decodes and checks only the shards that changed.
 * Not thread-safe: one reader per follower.
 */
public final class RoutesReader {

    /** What a read came to: a table to apply, or the reason the version must not be applied. */
    public sealed interface Read {
        record Table(long version, RoutingTable table, int chunksFetched) implements Read {
        }

        record Refused(long version, String reason) implements Read {
        }
    }

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final String group;
    private final Optional<VersionVerifier> verifier;
    private String[] cachedShas = new String[RoutingTable.SHARDS];
    /** The last table read; its shards are those of {@link #cachedShas}. */
    private RoutingTable cachedTable;

    public RoutesReader(CuratorFramework client, ZkLayout layout, String group, Optional<VersionVerifier> verifier) {
        this.client = client;
        this.layout = layout;
        this.group = group;
        this.verifier = verifier;
        this.cachedTable = RoutingTable.empty(group);
    }

    /** The routing table the group's agents should hold; empty while none was published. */
    public Optional<PublishedVersion> target() throws Exception {
        String path = layout.routesTarget(group);
        try {
            return Optional.of(Json.read(path, client.getData().forPath(path), PublishedVersion.class));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    /**
     * The table of {@code target}, verified.
     *
     * @throws Exception when ZooKeeper does not answer (try again later; not a refusal)
     */
    public Read read(PublishedVersion target) throws Exception {
        long version = target.version();
        String path = layout.routeVersion(group, version);
        RoutesVersion stored;
        try {
            stored = Json.read(path, client.getData().forPath(path), RoutesVersion.class);
        } catch (KeeperException.NoNodeException e) {
            return new Read.Refused(version, "routes version node " + path + " does not exist");
        } catch (CorruptNodeException e) {
            return new Read.Refused(version, e.getMessage());
        }
        Optional<String> refusal = stored.refusal(group, version, verifier);
        if (refusal.isPresent()) {
            return new Read.Refused(version, refusal.get());
        }
        if (!stored.tableSha256().equals(target.sha256())) {
            return new Read.Refused(version, "routes version " + version + " describes table " + stored.tableSha256().substring(0, 12)
                    + ", the target says " + abbreviate(target.sha256()));
        }
        int shardCount = stored.chunks().size();
        RoutingTable base = cachedTable;
        String[] baseShas = cachedShas;
        if (shardCount != base.shardCount()) { // a version of the other shard count: nothing cached is of use
            base = RoutingTable.empty(group, shardCount);
            baseShas = new String[shardCount];
        }
        String[] shas = new String[shardCount];
        Map<Integer, List<RouteLine>> replaced = new HashMap<>();
        int fetched = 0;
        for (int shard = 0; shard < shardCount; shard++) {
            String sha = stored.chunks().get(shard);
            shas[shard] = sha;
            if (Objects.equals(sha, baseShas[shard])) {
                continue;
            }
            if (sha == null) {
                replaced.put(shard, List.of());
                continue;
            }
            String chunkPath = layout.routeChunk(group, sha);
            try {
                replaced.put(shard, RouteChunk.decode(chunkPath, client.getData().forPath(chunkPath), sha, shard, shardCount));
                fetched++;
            } catch (KeeperException.NoNodeException e) {
                return new Read.Refused(version, "routes chunk " + chunkPath + " of shard " + shard + " does not exist");
            } catch (CorruptNodeException e) {
                return new Read.Refused(version, e.getMessage());
            }
        }
        RoutingTable table;
        try {
            table = RoutingTable.withShards(base, replaced);
        } catch (IllegalArgumentException e) {
            return new Read.Refused(version, e.getMessage());
        }
        if (table.size() != stored.services()) {
            return new Read.Refused(version, "routes version " + version + " says " + stored.services() + " services, its chunks hold "
                    + table.size());
        }
        cachedShas = shas;
        cachedTable = table;
        return new Read.Table(version, table, fetched);
    }

    private static String abbreviate(String sha) {
        return sha == null ? "none" : sha.substring(0, Math.min(12, sha.length()));
    }
}
