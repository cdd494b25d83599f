package io.lbmanager.zk;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.ExponentialBackoffRetry;

/** Builds the Curator client every part of lb-manager (manager, agent, demo) uses. */
public final class ZooKeeperClients {

    private ZooKeeperClients() {
    }

    /** An unstarted client. */
    public static CuratorFramework client(String connectString, int sessionTimeoutMs, int connectionTimeoutMs) {
        return builder(connectString, sessionTimeoutMs, connectionTimeoutMs).build();
    }

    /** An unstarted client that authenticates as {@code credentials} and creates nodes with {@code acls}. */
    public static CuratorFramework client(String connectString, int sessionTimeoutMs, int connectionTimeoutMs,
                                          ZkCredentials credentials, ACLProvider acls) {
        return builder(connectString, sessionTimeoutMs, connectionTimeoutMs)
                .authorization(ZkCredentials.SCHEME, credentials.authBytes())
                .aclProvider(acls)
                .build();
    }

    private static CuratorFrameworkFactory.Builder builder(String connectString, int sessionTimeoutMs, int connectionTimeoutMs) {
        return CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(sessionTimeoutMs)
                .connectionTimeoutMs(connectionTimeoutMs)
                .retryPolicy(new ExponentialBackoffRetry(200, 10, 5_000));
    }
}
