package io.lbmanager.zk;

import io.lbmanager.config.ZooKeeperAuthConfig;
import io.lbmanager.config.ZooKeeperConfig;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/** The manager's ZooKeeper client: with {@code zookeeper.auth} it authenticates and locks its nodes with {@link ManagerAcls}. */
public final class ManagerZooKeeper {

    private static final Logger LOG = LoggerFactory.getLogger(ManagerZooKeeper.class);

    private ManagerZooKeeper() {
    }

    /** The ACLs the manager's nodes get; empty (and a warning) when no manager credentials are configured. */
    public static Optional<ManagerAcls> acls(ZooKeeperConfig config, ZkLayout layout, String discoveryBasePath) {
        ZooKeeperAuthConfig auth = config.auth;
        if (!auth.isEnabled()) {
            LOG.warn("zookeeper.auth.manager is not set: the nodes under {} get no ACLs, so any ZooKeeper client can change "
                    + "what Nginx serves", layout.root());
            return Optional.empty();
        }
        ZkCredentials agent = auth.agent.isBlank() ? null : ZkCredentials.parse(auth.agent, "zookeeper.auth.agent");
        return Optional.of(new ManagerAcls(layout, discoveryBasePath, managerCredentials(config), agent));
    }

    public static CuratorFramework client(ZooKeeperConfig config, String connectString, Optional<ManagerAcls> acls) {
        if (acls.isEmpty()) {
            return ZooKeeperClients.client(connectString, config.sessionTimeoutMs, config.connectionTimeoutMs);
        }
        return ZooKeeperClients.client(connectString, config.sessionTimeoutMs, config.connectionTimeoutMs,
                managerCredentials(config), acls.get());
    }

    private static ZkCredentials managerCredentials(ZooKeeperConfig config) {
        return ZkCredentials.parse(config.auth.manager, "zookeeper.auth.manager");
    }
}
