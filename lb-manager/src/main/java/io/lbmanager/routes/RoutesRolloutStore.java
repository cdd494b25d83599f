package io.lbmanager.routes;

import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.rollout.RolloutRecord;
import io.lbmanager.rollout.RolloutStore.Versioned;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The routes rollout state of a group: routes target, routes live and the latest routes rollout
 * (a {@link RolloutRecord} of kind ROUTES), each change one transaction guarded by node versions.
 * Finished routes rollouts go into the group's one rollout history, next to config rollouts.
 */
public final class RoutesRolloutStore {

    private final CuratorFramework client;
    private final ZkLayout layout;

    public RoutesRolloutStore(CuratorFramework client, ZkLayout layout) {
        this.client = client;
        this.layout = layout;
    }

    public Versioned<PublishedVersion> target(String group) throws Exception {
        return read(layout.routesTarget(group), PublishedVersion.class);
    }

    public Versioned<PublishedVersion> live(String group) throws Exception {
        return read(layout.routesLive(group), PublishedVersion.class);
    }

    public Versioned<RolloutRecord> rollout(String group) throws Exception {
        return read(layout.routesRollout(group), RolloutRecord.class);
    }

    boolean begin(RolloutRecord rollout, int rolloutNodeVersion) throws Exception {
        return commit(List.of(write(layout.routesRollout(rollout.group()), rollout, rolloutNodeVersion)));
    }

    boolean succeed(RolloutRecord finished, PublishedVersion nowLive, int rolloutNodeVersion, int liveNodeVersion) throws Exception {
        return commit(List.of(
                write(layout.routesRollout(finished.group()), finished, rolloutNodeVersion),
                write(layout.routesLive(finished.group()), nowLive, liveNodeVersion),
                historyEntry(finished)));
    }

    /** The routes target goes back to what was live (if anything was). */
    boolean revert(RolloutRecord finished, Optional<PublishedVersion> previous, int rolloutNodeVersion, int targetNodeVersion)
            throws Exception {
        List<CuratorOp> ops = new ArrayList<>();
        ops.add(write(layout.routesRollout(finished.group()), finished, rolloutNodeVersion));
        if (previous.isPresent()) {
            ops.add(write(layout.routesTarget(finished.group()), previous.get(), targetNodeVersion));
        }
        ops.add(historyEntry(finished));
        return commit(ops);
    }

    private CuratorOp historyEntry(RolloutRecord finished) throws Exception {
        try {
            client.create().creatingParentsIfNeeded().forPath(layout.groupRolloutHistory(finished.group()));
        } catch (KeeperException.NodeExistsException ignored) {
            // already there
        }
        return client.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(layout.groupRolloutHistory(finished.group()) + "/r", Json.write(finished));
    }

    private CuratorOp write(String path, Object value, int nodeVersion) {
        try {
            return nodeVersion < 0
                    ? client.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(path, Json.write(value))
                    : client.transactionOp().setData().withVersion(nodeVersion).forPath(path, Json.write(value));
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the write of " + path, e);
        }
    }

    private boolean commit(List<CuratorOp> ops) throws Exception {
        try {
            client.transaction().forOperations(ops);
            return true;
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException | KeeperException.NoNodeException e) {
            return false;
        }
    }

    private <T> Versioned<T> read(String path, Class<T> type) throws Exception {
        Stat stat = new Stat();
        try {
            byte[] bytes = client.getData().storingStatIn(stat).forPath(path);
            return new Versioned<>(Optional.of(Json.read(path, bytes, type)), stat.getVersion());
        } catch (KeeperException.NoNodeException e) {
            return new Versioned<>(Optional.empty(), -1);
        }
    }
}
