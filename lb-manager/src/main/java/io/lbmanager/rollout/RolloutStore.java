package io.lbmanager.rollout;

import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.TreeWatch;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The rollout state of a group in ZooKeeper: target, live, the latest rollout, its history and
 * the pin. Every state change is one transaction guarded by node versions, so two managers (or
 * a manager and an operator's rollback) can never interleave half-way.
 */
public final class RolloutStore {

    private static final int HISTORY_KEPT = 200;

    private final CuratorFramework client;
    private final ZkLayout layout;

    public RolloutStore(CuratorFramework client, ZkLayout layout) {
        this.client = client;
        this.layout = layout;
    }

    /** A value read together with the node version that guards the next write of it. */
    public record Versioned<T>(Optional<T> value, int nodeVersion) {
        static <T> Versioned<T> absent() {
            return new Versioned<>(Optional.empty(), -1);
        }
    }

    public Versioned<PublishedVersion> target(String group) throws Exception {
        return read(layout.groupTarget(group), PublishedVersion.class);
    }

    public Versioned<PublishedVersion> live(String group) throws Exception {
        return read(layout.groupLive(group), PublishedVersion.class);
    }

    public Versioned<RolloutRecord> rollout(String group) throws Exception {
        return read(layout.groupRollout(group), RolloutRecord.class);
    }

    /** Calls {@code onChange} whenever the group's rollout node is written, by this manager or another, until closed. */
    public AutoCloseable watchRollout(String group, TreeWatch.Events onChange) {
        return TreeWatch.node(client, layout.groupRollout(group), onChange).start();
    }

    public Optional<GroupPin> pin(String group) throws Exception {
        return read(layout.groupPin(group), GroupPin.class).value();
    }

    /** Finished rollouts, newest first. */
    public List<RolloutRecord> history(String group, int limit) throws Exception {
        List<String> names;
        try {
            names = new ArrayList<>(client.getChildren().forPath(layout.groupRolloutHistory(group)));
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
        names.sort(Comparator.reverseOrder());
        List<RolloutRecord> records = new ArrayList<>();
        for (String name : names.subList(0, Math.min(limit, names.size()))) {
            read(layout.groupRolloutHistory(group) + "/" + name, RolloutRecord.class).value().ifPresent(records::add);
        }
        return records;
    }

    /** Starts a rollout of {@code target} (already published) unless the rollout node changed meanwhile. */
    public boolean begin(RolloutRecord rollout, int rolloutNodeVersion) throws Exception {
        ensureGroupNode(rollout.group());
        return commit(List.of(write(layout.groupRollout(rollout.group()), rollout, rolloutNodeVersion)));
    }

    /** All agents confirmed: the version becomes live and the rollout is recorded as succeeded. */
    public boolean succeed(RolloutRecord finished, PublishedVersion nowLive, int rolloutNodeVersion, int liveNodeVersion) throws Exception {
        return commit(List.of(
                write(layout.groupRollout(finished.group()), finished, rolloutNodeVersion),
                write(layout.groupLive(finished.group()), nowLive, liveNodeVersion),
                historyEntry(finished)));
    }

    /** An agent failed or the deadline passed: the target goes back to what was live. */
    public boolean revert(RolloutRecord finished, Optional<PublishedVersion> previous, int rolloutNodeVersion, int targetNodeVersion)
            throws Exception {
        List<CuratorOp> ops = new ArrayList<>();
        ops.add(write(layout.groupRollout(finished.group()), finished, rolloutNodeVersion));
        previous.ifPresent(p -> ops.add(write(layout.groupTarget(finished.group()), p, targetNodeVersion)));
        ops.add(historyEntry(finished));
        return commit(ops);
    }

    /** An operator's rollback: pin the group and point its target at an earlier version, as one rollout. */
    public boolean rollBack(RolloutRecord rollout, PublishedVersion target, GroupPin pin, int targetNodeVersion,
                            int rolloutNodeVersion) throws Exception {
        ensureGroupNode(rollout.group());
        List<CuratorOp> ops = new ArrayList<>();
        ops.add(write(layout.groupTarget(rollout.group()), target, targetNodeVersion));
        ops.add(write(layout.groupRollout(rollout.group()), rollout, rolloutNodeVersion));
        boolean pinned = client.checkExists().forPath(layout.groupPin(rollout.group())) != null;
        ops.add(pinned
                ? client.transactionOp().setData().forPath(layout.groupPin(rollout.group()), Json.write(pin))
                : client.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(layout.groupPin(rollout.group()), Json.write(pin)));
        return commit(ops);
    }

    public void pin(String group, GroupPin pin) throws Exception {
        ensureGroupNode(group);
        try {
            client.create().withMode(CreateMode.PERSISTENT).forPath(layout.groupPin(group), Json.write(pin));
        } catch (KeeperException.NodeExistsException e) {
            client.setData().forPath(layout.groupPin(group), Json.write(pin));
        }
    }

    public boolean unpin(String group) throws Exception {
        try {
            client.delete().forPath(layout.groupPin(group));
            return true;
        } catch (KeeperException.NoNodeException e) {
            return false;
        }
    }

    public void pruneHistory(String group) throws Exception {
        List<String> names;
        try {
            names = new ArrayList<>(client.getChildren().forPath(layout.groupRolloutHistory(group)));
        } catch (KeeperException.NoNodeException e) {
            return;
        }
        names.sort(Comparator.naturalOrder());
        for (String name : names.subList(0, Math.max(0, names.size() - HISTORY_KEPT))) {
            try {
                client.delete().forPath(layout.groupRolloutHistory(group) + "/" + name);
            } catch (KeeperException.NoNodeException ignored) {
                // pruned by another manager
            }
        }
    }

    private CuratorOp historyEntry(RolloutRecord finished) throws Exception {
        ensurePersistent(layout.groupRolloutHistory(finished.group()));
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
            return Versioned.absent();
        }
    }

    private void ensureGroupNode(String group) throws Exception {
        ensurePersistent(layout.group(group));
    }

    private void ensurePersistent(String path) throws Exception {
        try {
            client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(path);
        } catch (KeeperException.NodeExistsException ignored) {
            // already there
        }
    }
}
