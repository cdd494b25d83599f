package org.apache.curator.test;

import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * Expires a client's ZooKeeper session from the server's side, as the server does when the client
 * stays silent past its timeout (a long GC pause, a partition): in this package because curator-test
 * keeps its server objects package-private.
 */
public final class ServerSideSessions {

    private ServerSideSessions() {
    }

    public static void expire(TestingServer server, long sessionId) {
        zooKeeperServer(server).expire(sessionId);
    }

    private static ZooKeeperServer zooKeeperServer(TestingServer server) {
        ZooKeeperMainFace main = server.getTestingZooKeeperServer().getMain();
        if (main instanceof ZooKeeperServerEmbeddedAdapter embedded) {
            return embedded.getServerCnxnFactory().getZooKeeperServer();
        }
        if (main instanceof TestingZooKeeperMain testing) {
            return testing.getZkServer();
        }
        throw new IllegalStateException("unknown curator-test server: " + main.getClass());
    }
}
