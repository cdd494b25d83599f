package io.lbmanager.routes;

import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.rollout.RolloutRecord;
import io.lbmanager.rollout.RolloutStore.Versioned;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.zk.ZkNodes;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The routes rollout state of a group: routes target, routes live and the latest routes rollout
 * (a {@link RolloutRecord} of kind ROUTES), each change one transaction guarded by node versions.
 * Finished routes rollouts go into the group's one rollout history, next to config rollouts.
 */
public final class RoutesRolloutStore {

    private final ZkNodes nodes;
    private final ZkLayout layout;

    public RoutesRolloutStore(ZkNodes nodes, ZkLayout layout) {
        this.nodes = nodes;
        this.layout = layout;
    }

    public Versioned<PublishedVersion> target(String group) {
        return read(layout.routesTarget(group), PublishedVersion.class);
    }

    public Versioned<PublishedVersion> live(String group) {
        return read(layout.routesLive(group), PublishedVersion.class);
    }

    public Versioned<RolloutRecord> rollout(String group) {
        return read(layout.routesRollout(group), RolloutRecord.class);
    }

    boolean begin(RolloutRecord rollout, int rolloutNodeVersion) {
        return nodes.commit(List.of(write(layout.routesRollout(rollout.group()), rollout, rolloutNodeVersion)));
    }

    boolean succeed(RolloutRecord finished, PublishedVersion nowLive, int rolloutNodeVersion, int liveNodeVersion) throws Exception {
        return nodes.commit(List.of(
                write(layout.routesRollout(finished.group()), finished, rolloutNodeVersion),
                write(layout.routesLive(finished.group()), nowLive, liveNodeVersion),
                historyEntry(finished)));
    }

    /** The routes target goes back to what was live (if anything was). */
    boolean revert(RolloutRecord finished, Optional<PublishedVersion> previous, int rolloutNodeVersion, int targetNodeVersion)
            throws Exception {
        List<CuratorOp> ops = new ArrayList<>();
        ops.add(write(layout.routesRollout(finished.group()), finished, rolloutNodeVersion));
        previous.ifPresent(p -> ops.add(write(layout.routesTarget(finished.group()), p, targetNodeVersion)));
        ops.add(historyEntry(finished));
        return nodes.commit(ops);
    }

    private CuratorOp historyEntry(RolloutRecord finished) throws Exception {
        nodes.ensure(layout.groupRolloutHistory(finished.group()));
        return nodes.client().transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(layout.groupRolloutHistory(finished.group()) + "/r", Json.write(finished));
    }

    private CuratorOp write(String path, Object value, int nodeVersion) {
        return nodeVersion < 0 ? nodes.createOp(path, Json.write(value)) : nodes.setDataOp(path, Json.write(value), nodeVersion);
    }

    private <T> Versioned<T> read(String path, Class<T> type) {
        return nodes.read(path).map(node -> new Versioned<>(Optional.of(Json.read(path, node.data(), type)), node.version()))
                .orElseGet(() -> new Versioned<>(Optional.empty(), -1));
    }
}
