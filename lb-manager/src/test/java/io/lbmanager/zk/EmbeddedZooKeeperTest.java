package io.lbmanager.zk;

import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddedZooKeeperTest {

    @Test
    void embeddedServerServesCuratorOnLoopbackAndKeepsDataAcrossRestart(@TempDir Path dataDir) throws Exception {
        EmbeddedZooKeeper first = EmbeddedZooKeeper.create(0, dataDir.toString());
        first.start();
        try (CuratorFramework client = ZooKeeperClients.client(first.connectString(), 10_000, 5_000)) {
            client.start();
            assertThat(client.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
            client.create().creatingParentsIfNeeded().forPath("/lb-manager/probe", "kept".getBytes(StandardCharsets.UTF_8));
        } finally {
            first.stop();
        }
        assertThat(first.connectString()).startsWith("127.0.0.1:");

        EmbeddedZooKeeper second = EmbeddedZooKeeper.create(0, dataDir.toString());
        second.start();
        try (CuratorFramework client = ZooKeeperClients.client(second.connectString(), 10_000, 5_000)) {
            client.start();
            assertThat(client.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(client.getData().forPath("/lb-manager/probe"), StandardCharsets.UTF_8)).isEqualTo("kept");
        } finally {
            second.stop();
        }
    }
}
