package io.lbmanager.zk;

import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The ACL of every node the manager creates. Under {@code zookeeper.root}: the manager may do
 * everything; the agents (their digest identity, or anyone when agents have none) may read a
 * group's runtime nodes (target, versions, signatures, peers) and create and delete their own
 * status nodes under {@code groups/{group}/agents} and their usage records under {@code groups/{group}/usage}; nobody else gets anything. Outside the root
 * (the discovery base path teams register under) nodes stay open, as teams' clients create them.
 */
public final class ManagerAcls implements ACLProvider {

    private static final Id ANYONE = ZooDefs.Ids.ANYONE_ID_UNSAFE;

    private final ZkLayout layout;
    private final String discoveryBasePath;
    private final Id manager;
    private final Id agent;

    public ManagerAcls(ZkLayout layout, String discoveryBasePath, ZkCredentials manager, ZkCredentials agentOrNull) {
        this.layout = layout;
        this.discoveryBasePath = discoveryBasePath;
        this.manager = manager.id();
        this.agent = agentOrNull == null ? ANYONE : agentOrNull.id();
    }

    @Override
    public List<ACL> getDefaultAcl() {
        return ZooDefs.Ids.OPEN_ACL_UNSAFE;
    }

    @Override
    public List<ACL> getAclForPath(String path) {
        if (path == null || within(path, discoveryBasePath) || !within(path, layout.root())) {
            return ZooDefs.Ids.OPEN_ACL_UNSAFE;
        }
        String[] parts = relative(path);
        if (parts.length == 4 && parts[3].equals("agents") && parts[1].equals("groups")) {
            return acl(managerAll(), new ACL(Perms.READ | Perms.CREATE | Perms.DELETE, agent));
        }
        if (parts.length == 4 && parts[3].equals("usage") && parts[1].equals("groups")) {
            return acl(managerAll(), new ACL(Perms.READ | Perms.CREATE, agent));
        }
        if (parts.length == 5 && parts[3].equals("agents") && parts[1].equals("groups")) {
            return agentStatusAcl(agent, manager);
        }
        if (parts.length == 1 || parts[1].equals("groups")) {
            return acl(managerAll(), new ACL(Perms.READ, agent));
        }
        return acl(managerAll());
    }

    /** An agent's own status node: the agent may do everything, anyone may read it (host, ports, version, error). */
    public static List<ACL> agentStatusAcl(Id agent, Id managerOrNull) {
        if (agent.equals(ANYONE)) {
            return ZooDefs.Ids.OPEN_ACL_UNSAFE;
        }
        return managerOrNull == null
                ? acl(new ACL(Perms.ALL, agent), new ACL(Perms.READ, ANYONE))
                : acl(new ACL(Perms.ALL, agent), new ACL(Perms.ALL, managerOrNull), new ACL(Perms.READ, ANYONE));
    }

    /** A list ZooKeeper accepts: its client checks {@code contains(null)}, which immutable lists refuse with an exception. */
    private static List<ACL> acl(ACL... entries) {
        return new ArrayList<>(Arrays.asList(entries));
    }

    private ACL managerAll() {
        return new ACL(Perms.ALL, manager);
    }

    /** The path's segments relative to the parent of the root: {@code [root, groups, edge, agents]} for {@code root/groups/edge/agents}. */
    private String[] relative(String path) {
        String rest = layout.root().equals("/") ? path : path.substring(layout.root().length());
        return ("root" + rest).split("/");
    }

    private static boolean within(String path, String base) {
        return path.equals(base) || path.startsWith(base.endsWith("/") ? base : base + "/");
    }
}
