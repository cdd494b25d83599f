package io.lbmanager.routes;

import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.contract.RouteLine;
import io.lbmanager.signing.VersionVerifier;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a group's routing table versions from ZooKeeper and trusts none of it: the version node
 * must be signed (when a verifier is given) and well-formed, every chunk must hash to its name and
 * hold valid lines of its shard, and the whole must be a table ({@link RoutingTable#of}). Keeps
 * the chunks of the last table it read, so the next read fetches only the shards that changed.
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
    private final String[] cachedShas = new String[RoutingTable.SHARDS];
    @SuppressWarnings("unchecked")
    private final List<RouteLine>[] cachedLines = new List[RoutingTable.SHARDS];

    public RoutesReader(CuratorFramework client, ZkLayout layout, String group, Optional<VersionVerifier> verifier) {
        this.client = client;
        this.layout = layout;
        this.group = group;
        this.verifier = verifier;
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
        String[] shas = new String[RoutingTable.SHARDS];
        @SuppressWarnings("unchecked")
        List<RouteLine>[] lines = new List[RoutingTable.SHARDS];
        int fetched = 0;
        for (int shard = 0; shard < RoutingTable.SHARDS; shard++) {
            String sha = stored.chunks().get(shard);
            shas[shard] = sha;
            if (sha == null) {
                lines[shard] = List.of();
            } else if (sha.equals(cachedShas[shard])) {
                lines[shard] = cachedLines[shard];
            } else {
                String chunkPath = layout.routeChunk(group, sha);
                try {
                    lines[shard] = RouteChunk.decode(chunkPath, client.getData().forPath(chunkPath), sha, shard);
                    fetched++;
                } catch (KeeperException.NoNodeException e) {
                    return new Read.Refused(version, "routes chunk " + chunkPath + " of shard " + shard + " does not exist");
                } catch (CorruptNodeException e) {
                    return new Read.Refused(version, e.getMessage());
                }
            }
        }
        List<RouteLine> all = new ArrayList<>();
        for (List<RouteLine> shardLines : lines) {
            all.addAll(shardLines);
        }
        RoutingTable table;
        try {
            table = RoutingTable.of(group, all);
        } catch (IllegalArgumentException e) {
            return new Read.Refused(version, e.getMessage());
        }
        if (table.size() != stored.services()) {
            return new Read.Refused(version, "routes version " + version + " says " + stored.services() + " services, its chunks hold "
                    + table.size());
        }
        System.arraycopy(shas, 0, cachedShas, 0, shas.length);
        System.arraycopy(lines, 0, cachedLines, 0, lines.length);
        return new Read.Table(version, table, fetched);
    }

    private static String abbreviate(String sha) {
        return sha == null ? "none" : sha.substring(0, Math.min(12, sha.length()));
    }
}
