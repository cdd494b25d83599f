package io.lbmanager.rollout;

import io.lbmanager.contract.AgentStatus;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.TreeWatch;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Reads, and watches, what the agents of a group report about themselves (their ephemeral nodes). */
public final class AgentDirectory {

    private final CuratorFramework client;
    private final ZkLayout layout;

    public AgentDirectory(CuratorFramework client, ZkLayout layout) {
        this.client = client;
        this.layout = layout;
    }

    public List<AgentStatus> agents(String group) throws Exception {
        List<String> ids;
        try {
            ids = client.getChildren().forPath(layout.groupAgents(group));
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
        List<AgentStatus> agents = new ArrayList<>();
        for (String id : ids) {
            String path = layout.agent(group, id);
            try {
                agents.add(Json.read(path, client.getData().forPath(path), AgentStatus.class));
            } catch (KeeperException.NoNodeException | CorruptNodeException gone) {
                // the agent left between listing and reading, or wrote garbage: not a live agent
            }
        }
        agents.sort(Comparator.comparing(AgentStatus::agentId));
        return List.copyOf(agents);
    }

    /**
     * Calls {@code onChange} (on a ZooKeeper event thread) whenever an agent of the group writes its
     * status node, joins or leaves, until the returned handle is closed.
     */
    public AutoCloseable watch(String group, TreeWatch.Events onChange) {
        return TreeWatch.subtree(client, layout.groupAgents(group), onChange).start();
    }
}
