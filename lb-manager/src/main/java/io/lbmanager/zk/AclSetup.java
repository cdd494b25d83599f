package io.lbmanager.zk;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.ACL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Brings the nodes under the root to {@link ManagerAcls} when the manager starts with credentials:
 * nodes created before ACLs were configured are open to anyone until this runs. The root's own ACL
 * is set last, so an interrupted pass runs again at the next start and a finished one costs one read.
 * Also makes sure every declared group has its {@code agents} node, which agents can no longer create.
 */
public final class AclSetup {

    private static final Logger LOG = LoggerFactory.getLogger(AclSetup.class);

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final ManagerAcls acls;

    public AclSetup(CuratorFramework client, ZkLayout layout, ManagerAcls acls) {
        this.client = client;
        this.layout = layout;
        this.acls = acls;
    }

    /** @return how many nodes got their ACL set (0 once a previous start finished the walk) */
    public int run() throws Exception {
        String root = layout.root();
        if (client.checkExists().forPath(root) == null) {
            client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(root);
        }
        int changed = 0;
        if (!client.getACL().forPath(root).equals(acls.getAclForPath(root))) {
            List<String> refused = new ArrayList<>();
            changed = setAclsBelow(root, refused);
            client.setACL().withACL(acls.getAclForPath(root)).forPath(root);
            changed++;
            LOG.info("zookeeper acls root={} state=applied nodes={}{}", root, changed,
                    refused.isEmpty() ? "" : " refused=" + refused.size() + " (first: " + refused.get(0) + ")");
        }
        for (String group : children(layout.catalogGroups())) {
            try {
                client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(layout.groupAgents(group));
            } catch (KeeperException.NodeExistsException exists) {
                // agents may already report there
            }
        }
        return changed;
    }

    private int setAclsBelow(String path, List<String> refused) throws Exception {
        int changed = 0;
        for (String child : children(path)) {
            String childPath = path.equals("/") ? "/" + child : path + "/" + child;
            changed += setAclsBelow(childPath, refused);
            List<ACL> wanted = acls.getAclForPath(childPath);
            try {
                if (!client.getACL().forPath(childPath).equals(wanted)) {
                    client.setACL().withACL(wanted).forPath(childPath);
                    changed++;
                }
            } catch (KeeperException.NoNodeException gone) {
                // an ephemeral node left meanwhile
            } catch (KeeperException.NoAuthException notOurs) {
                refused.add(childPath); // e.g. an agent's status node, created under the agent's own ACL
            }
        }
        return changed;
    }

    private List<String> children(String path) throws Exception {
        try {
            return client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }
}
