package io.lbmanager.usage;

import io.lbmanager.contract.UsageRecord;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The agents' hourly usage records in ZooKeeper ({@code groups/{group}/usage/{hourStart}-{agentId}}): read, kept, pruned. */
public final class UsageRecords {

    private static final Logger LOG = LoggerFactory.getLogger(UsageRecords.class);

    private final CuratorFramework client;
    private final ZkLayout layout;

    public UsageRecords(CuratorFramework client, ZkLayout layout) {
        this.client = client;
        this.layout = layout;
    }

    /** The node names of one group's records (empty when it has none yet). */
    List<String> names(String group) throws Exception {
        try {
            return client.getChildren().forPath(layout.groupUsage(group));
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    /** One record, or null when it was pruned meanwhile or does not parse (logged). */
    UsageRecord read(String group, String name) throws Exception {
        String path = layout.groupUsage(group) + "/" + name;
        try {
            return Json.read(path, client.getData().forPath(path), UsageRecord.class);
        } catch (KeeperException.NoNodeException e) {
            return null;
        } catch (RuntimeException unreadable) {
            LOG.warn("usage record {} does not parse: {}", path, unreadable.getMessage());
            return null;
        }
    }

    /** The hourly records of these groups for the hours that start in {@code [hourOf(from), to)}. */
    public List<UsageRecord> hoursBetween(Collection<String> groups, long from, long to) throws Exception {
        long firstHour = UsageRecord.hourOf(from);
        List<UsageRecord> records = new ArrayList<>();
        for (String group : groups) {
            for (String name : names(group)) {
                long hour = UsageRecord.intervalStartOf(name);
                if (hour >= firstHour && hour < to) {
                    UsageRecord record = read(group, name);
                    if (record != null) {
                        records.add(record);
                    }
                }
            }
        }
        return records;
    }

    /** Creates each group's usage node (the agents may create records in it, not it), then deletes records started before {@code before}. */
    public int prune(Collection<String> groups, long before) throws Exception {
        int deleted = 0;
        for (String group : groups) {
            try {
                client.create().creatingParentsIfNeeded().forPath(layout.groupUsage(group));
            } catch (KeeperException.NodeExistsException exists) {
                // the usual case
            }
            for (String name : names(group)) {
                long start = UsageRecord.intervalStartOf(name);
                if (start >= 0 && start < before) {
                    try {
                        client.delete().forPath(layout.groupUsage(group) + "/" + name);
                        deleted++;
                    } catch (KeeperException.NoNodeException gone) {
                        // another manager pruned it
                    }
                }
            }
        }
        return deleted;
    }
}
