package io.lbmanager.peers;

import io.lbmanager.catalog.Upstream;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.zk.ZooKeeperClients;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** PeerSync against a real ZooKeeper server and no Nginx at all: what the agent reports while it cannot push. */
class PeerSyncTest {

    private static final ZkLayout LAYOUT = new ZkLayout("/lb-manager");

    private TestingServer zookeeper;
    private CuratorFramework client;

    @BeforeEach
    void start() throws Exception {
        zookeeper = new TestingServer(true);
        client = ZooKeeperClients.client(zookeeper.getConnectString(), 10_000, 5_000);
        client.start();
        client.create().creatingParentsIfNeeded().forPath(LAYOUT.groupPeerList("edge", "shop"),
                new PeerList("shop", List.of(new Upstream("10.0.0.1", 80))).encode());
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        zookeeper.close();
    }

    @Test
    void untilEveryListReachedNginxTheListsAreNotLoadedAndTheErrorSaysWhy(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("run/peers.sock");
        try (PeerSync sync = new PeerSync(client, LAYOUT, "edge", socket, "edge/a1")) {
            sync.start();
            assertThat(sync.listsLoaded()).as("nothing to push while Nginx takes no peers").isTrue();

            sync.nginxLoaded(true);

            assertThat(sync.nginxTakesPeers()).isTrue();
            assertThat(sync.listsLoaded()).isFalse();
            assertThat(sync.error()).contains("cannot push peer lists to nginx", "peers.sock");
            assertThat(sync.pushes()).isZero();

            sync.nginxLoaded(false);
            assertThat(sync.listsLoaded()).isTrue();
        }
    }
}
