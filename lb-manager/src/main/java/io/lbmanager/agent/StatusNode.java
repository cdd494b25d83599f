package io.lbmanager.agent;

import io.lbmanager.contract.AgentStatus;
import io.lbmanager.zk.Json;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's ephemeral status node. It remembers the latest status, so after a lost session the
 * node can be created again with what is true now.
 */
final class StatusNode {

    private static final Logger LOG = LoggerFactory.getLogger(StatusNode.class);

    private final CuratorFramework client;
    private final String path;
    private volatile AgentStatus latest;
    private volatile boolean lastWriteFailed;

    StatusNode(CuratorFramework client, String path) {
        this.client = client;
        this.path = path;
    }

    /** Records the status and writes it if ZooKeeper is reachable; {@link #rewrite()} retries later. */
    void publish(AgentStatus status) {
        latest = status;
        rewrite();
    }

    /** Writes the latest status again if the last write failed (e.g. its parent node did not exist yet). */
    void retryIfFailed() {
        if (lastWriteFailed) {
            rewrite();
        }
    }

    void rewrite() {
        AgentStatus status = latest;
        if (status == null || !client.getZookeeperClient().isConnected()) {
            return;
        }
        try {
            write(Json.write(status));
            if (lastWriteFailed) {
                LOG.info("agent status node {} written again", path);
            }
            lastWriteFailed = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the agent is closing: its status node goes with its session
            lastWriteFailed = true;
        } catch (Exception e) {
            if (!lastWriteFailed) {
                LOG.warn("agent cannot write status node {}: {}", path, e.toString());
            }
            lastWriteFailed = true;
        }
    }

    private void write(byte[] data) throws Exception {
        long session = client.getZookeeperClient().getZooKeeper().getSessionId();
        Stat stat = client.checkExists().forPath(path);
        if (stat != null && stat.getEphemeralOwner() != session) {
            // Left by an earlier session of this agent id (a quick restart): it would vanish with that session.
            try {
                client.delete().forPath(path);
            } catch (KeeperException.NoNodeException gone) {
                // expired meanwhile
            }
            stat = null;
        }
        if (stat != null) {
            client.setData().forPath(path, data);
            return;
        }
        try {
            client.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, data);
        } catch (KeeperException.NodeExistsException raced) {
            client.setData().forPath(path, data);
        }
    }
}
