package io.lbmanager.rollout;

import io.lbmanager.contract.BundleCodec;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.contract.VersionNodes;
import io.lbmanager.errors.NotFoundException;
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
import java.util.List;
import java.util.Optional;

/**
 * Publishes validated bundles as numbered versions of a group and points the group's target at
 * the newest one, in one ZooKeeper transaction. An unchanged sha256 publishes nothing.
 */
public final class VersionPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(VersionPublisher.class);
    /** Bundles past this are refused: chunked storage holds at most {@link VersionNodes#MAX_CHUNKS} chunks. */
    static final int MAX_BUNDLE_BYTES = VersionNodes.MAX_CHUNKS * VersionNodes.CHUNK_BYTES;

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final int versionsKept;
    private final Optional<VersionSigner> signer;
    private final VersionNodes nodes;
    private final int maxBundleBytes;

    public VersionPublisher(CuratorFramework client, ZkLayout layout, int versionsKept) {
        this(client, layout, versionsKept, Optional.empty());
    }

    /** With a signer, every version is published with its signature, in the same transaction. */
    public VersionPublisher(CuratorFramework client, ZkLayout layout, int versionsKept, Optional<VersionSigner> signer) {
        this(client, layout, versionsKept, signer, MAX_BUNDLE_BYTES);
    }

    VersionPublisher(CuratorFramework client, ZkLayout layout, int versionsKept, Optional<VersionSigner> signer, int maxBundleBytes) {
        this.client = client;
        this.layout = layout;
        this.versionsKept = versionsKept;
        this.signer = signer;
        this.nodes = new VersionNodes(client);
        this.maxBundleBytes = maxBundleBytes;
    }

    public sealed interface PublishOutcome {
        record Published(PublishedVersion version) implements PublishOutcome {
        }

        record Unchanged(PublishedVersion version) implements PublishOutcome {
        }

        record TooLarge(int bytes) implements PublishOutcome {
        }
    }

    public PublishOutcome publishIfChanged(ConfigBundle bundle, String cause) throws Exception {
        String group = bundle.group();
        Stat targetStat = new Stat();
        Optional<PublishedVersion> current = target(group, targetStat);
        if (current.isPresent() && current.get().sha256().equals(bundle.sha256()) && signedIfSigning(current.get())) {
            return new PublishOutcome.Unchanged(current.get());
        }
        byte[] encoded = BundleCodec.encode(bundle);
        if (encoded.length > maxBundleBytes) {
            return new PublishOutcome.TooLarge(encoded.length);
        }
        long next = Math.max(current.map(PublishedVersion::version).orElse(0L), newestStoredVersion(group)) + 1;
        PublishedVersion version = new PublishedVersion(group, next, bundle.sha256(), System.currentTimeMillis(), cause);
        ensurePersistent(layout.groupVersions(group));
        ensurePersistent(layout.groupAgents(group)); // agents may create their status nodes here, not the group's node
        List<CuratorOp> ops = new ArrayList<>(nodes.stage(layout.groupVersion(group, next), encoded));
        if (signer.isPresent()) {
            ensurePersistent(layout.groupSignatures(group));
            ops.add(client.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(layout.groupSignature(group, next),
                    Json.write(signer.get().sign(group, next, encoded))));
        }
        ops.add(current.isPresent()
                ? client.transactionOp().setData().withVersion(targetStat.getVersion()).forPath(layout.groupTarget(group), Json.write(version))
                : client.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(layout.groupTarget(group), Json.write(version)));
        client.transaction().forOperations(ops);
        LOG.info("publish group={} version={} sha256={} files={} bytes={} chunks={} cause={}", group, next, bundle.sha256().substring(0, 12),
                bundle.files().size(), encoded.length, VersionNodes.chunksFor(encoded.length), cause);
        pruneOldVersions(group, next);
        return new PublishOutcome.Published(version);
    }

    public Optional<PublishedVersion> target(String group) throws Exception {
        return target(group, new Stat());
    }

    /** The bundle the group's agents are told to run, if any was published. */
    public Optional<ConfigBundle> targetBundle(String group) throws Exception {
        Optional<PublishedVersion> target = target(group);
        if (target.isEmpty()) {
            return Optional.empty();
        }
        String path = layout.groupVersion(group, target.get().version());
        return Optional.of(BundleCodec.decode(path, nodes.read(path)));
    }

    /** A version still stored for the group, as a target would point at it; unknown versions are a 404. */
    public PublishedVersion storedVersion(String group, long version) throws Exception {
        String path = layout.groupVersion(group, version);
        Stat stat = new Stat();
        byte[] bytes;
        try {
            client.getData().storingStatIn(stat).forPath(path);
            bytes = nodes.read(path);
        } catch (KeeperException.NoNodeException e) {
            throw new NotFoundException("version", "group " + group + " has no stored version " + version
                    + " (the last " + versionsKept + " are kept)");
        }
        ConfigBundle bundle = BundleCodec.decode(path, bytes);
        return new PublishedVersion(group, version, bundle.sha256(), stat.getCtime(), "stored version " + version);
    }

    /** Versions still stored for the group, oldest first. */
    public List<Long> storedVersionNumbers(String group) throws Exception {
        return storedVersions(group);
    }

    /** A stored version's bundle; unknown versions are a 404. */
    public ConfigBundle storedBundle(String group, long version) throws Exception {
        String path = layout.groupVersion(group, version);
        try {
            return BundleCodec.decode(path, nodes.read(path));
        } catch (KeeperException.NoNodeException e) {
            throw new NotFoundException("version", "group " + group + " has no stored version " + version);
        }
    }

    private Optional<PublishedVersion> target(String group, Stat stat) throws Exception {
        try {
            byte[] bytes = client.getData().storingStatIn(stat).forPath(layout.groupTarget(group));
            return Optional.of(Json.read(layout.groupTarget(group), bytes, PublishedVersion.class));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    /**
     * A target published before signing was configured is published again, signed: its agents would
     * refuse it after their next restart. Only what this manager rendered itself gets signed.
     */
    private boolean signedIfSigning(PublishedVersion current) throws Exception {
        return signer.isEmpty() || client.checkExists().forPath(layout.groupSignature(current.group(), current.version())) != null;
    }

    private long newestStoredVersion(String group) throws Exception {
        return storedVersions(group).stream().mapToLong(Long::longValue).max().orElse(0L);
    }

    private List<Long> storedVersions(String group) throws Exception {
        try {
            return client.getChildren().forPath(layout.groupVersions(group)).stream()
                    .map(name -> parseVersion(group, name))
                    .sorted()
                    .toList();
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    private long parseVersion(String group, String name) {
        try {
            return Long.parseLong(name);
        } catch (NumberFormatException e) {
            throw new CorruptNodeException(layout.groupVersions(group) + "/" + name, "version node name is not a number");
        }
    }

    private void pruneOldVersions(String group, long newest) throws Exception {
        List<Long> versions = storedVersions(group);
        long live = liveVersion(group);
        for (int i = 0; i < versions.size() - versionsKept; i++) {
            long old = versions.get(i);
            if (old != newest && old != live) {
                nodes.delete(layout.groupVersion(group, old));
                client.delete().quietly().forPath(layout.groupSignature(group, old));
            }
        }
    }

    /** The version every agent last confirmed: kept whatever its age, it is where a failed rollout goes back to. */
    private long liveVersion(String group) throws Exception {
        try {
            String path = layout.groupLive(group);
            return Json.read(path, client.getData().forPath(path), PublishedVersion.class).version();
        } catch (KeeperException.NoNodeException | CorruptNodeException e) {
            return 0;
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
