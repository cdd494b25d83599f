package io.lbmanager.upgrade;

import io.lbmanager.errors.StoreUnavailableException;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.zk.ZkNodes;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Upgrades, their history and deploy blocks in ZooKeeper, under {@code {root}/fleet/{group}/}. */
public final class UpgradeStore {

    private static final int HISTORY_KEPT = 50;

    private final ZkNodes nodes;
    private final ZkLayout layout;
    private final FleetWriteClaim claim;

    public UpgradeStore(CuratorFramework client, ZkLayout layout) {
        this.nodes = new ZkNodes(client);
        this.layout = layout;
        this.claim = new FleetWriteClaim(client, managerName());
    }

    /** Runs {@code action} as the only manager changing the group's fleet; another one meanwhile gets a conflict. */
    <T> T exclusively(String group, java.time.Duration wait, java.util.function.Supplier<T> action) {
        return claim.holding(layout.fleetUpgrade(group) + "-writer", group, wait, action);
    }

    private static String managerName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName() + "/" + ProcessHandle.current().pid() + "/"
                    + java.util.UUID.randomUUID().toString().substring(0, 8);
        } catch (java.net.UnknownHostException e) {
            return "manager/" + ProcessHandle.current().pid();
        }
    }

    /** The group's current upgrade, or its last one when none is in progress. */
    public Optional<UpgradeRecord> current(String group) {
        return nodes.readJson(layout.fleetUpgrade(group), UpgradeRecord.class);
    }

    public void save(UpgradeRecord upgrade) {
        nodes.writeJson(layout.fleetUpgrade(upgrade.group()), upgrade);
    }

    /** Saves a finished upgrade and appends it to the group's history (the oldest entries beyond 50 go). */
    public void saveFinished(UpgradeRecord upgrade) {
        save(upgrade);
        try {
            nodes.client().create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                    .forPath(layout.fleetHistoryEntryPrefix(upgrade.group()), Json.write(upgrade));
            List<String> children = historyChildren(upgrade.group());
            for (String old : children.subList(0, Math.max(children.size() - HISTORY_KEPT, 0))) {
                nodes.delete(layout.fleetHistory(upgrade.group()) + "/" + old);
            }
        } catch (Exception e) {
            throw new StoreUnavailableException("writing the upgrade history of " + upgrade.group(), e);
        }
    }

    /** Finished upgrades, newest first. */
    public List<UpgradeRecord> history(String group) {
        List<String> children = new ArrayList<>(historyChildren(group));
        children.sort(Comparator.reverseOrder());
        List<UpgradeRecord> records = new ArrayList<>();
        for (String child : children) {
            nodes.readJson(layout.fleetHistory(group) + "/" + child, UpgradeRecord.class).ifPresent(records::add);
        }
        return records;
    }

    /** Groups that have a fleet node (an upgrade, a block or backend state). */
    public List<String> groups() {
        try {
            return nodes.client().getChildren().forPath(layout.root() + "/fleet");
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (Exception e) {
            throw new StoreUnavailableException("listing fleet groups", e);
        }
    }

    public Optional<DeployBlock> block(String group) {
        return nodes.readJson(layout.fleetBlock(group), DeployBlock.class);
    }

    public void setBlock(String group, DeployBlock block) {
        nodes.writeJson(layout.fleetBlock(group), block);
    }

    public boolean clearBlock(String group) {
        boolean existed = block(group).isPresent();
        nodes.delete(layout.fleetBlock(group));
        return existed;
    }

    private List<String> historyChildren(String group) {
        try {
            List<String> children = new ArrayList<>(nodes.client().getChildren().forPath(layout.fleetHistory(group)));
            children.sort(Comparator.naturalOrder());
            return children;
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (Exception e) {
            throw new StoreUnavailableException("reading the upgrade history of " + group, e);
        }
    }
}
