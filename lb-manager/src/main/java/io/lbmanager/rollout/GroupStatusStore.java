package io.lbmanager.rollout;

import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The leader's last render outcome per group, kept in ZooKeeper so every manager reports the same. */
public final class GroupStatusStore {

    private static final Logger LOG = LoggerFactory.getLogger(GroupStatusStore.class);

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final Map<String, GroupStatus> lastWritten = new ConcurrentHashMap<>();

    public GroupStatusStore(CuratorFramework client, ZkLayout layout) {
        this.client = client;
        this.layout = layout;
    }

    public void record(GroupStatus status) {
        GroupStatus previous = lastWritten.put(status.group(), status);
        if (previous == null || previous.state() != status.state() || !previous.quarantined().keySet().equals(status.quarantined().keySet())
                || !previous.held().keySet().equals(status.held().keySet()) || !Objects.equals(previous.message(), status.message())) {
            LOG.info("group={} state={} target={} quarantined={} held={}{}", status.group(), status.state(), status.targetVersion(),
                    status.quarantined().keySet(), status.held().keySet(), status.message() == null ? "" : " reason=" + status.message());
        }
        String path = layout.groupStatus(status.group());
        try {
            try {
                client.setData().forPath(path, Json.write(status));
            } catch (KeeperException.NoNodeException e) {
                client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(path, Json.write(status));
            }
        } catch (Exception e) {
            LOG.warn("cannot store status of group={}: {}", status.group(), e.toString());
        }
    }

    public Optional<GroupStatus> read(String group) throws Exception {
        String path = layout.groupStatus(group);
        try {
            return Optional.of(Json.read(path, client.getData().forPath(path), GroupStatus.class));
        } catch (KeeperException.NoNodeException | CorruptNodeException e) {
            return Optional.empty();
        }
    }
}
