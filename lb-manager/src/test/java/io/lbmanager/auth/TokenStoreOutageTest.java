package io.lbmanager.auth;

import io.lbmanager.errors.StoreUnavailableException;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every API call reads its token, so while ZooKeeper is down the read must fail at once (the API
 * answers 503) instead of holding the request for the client's connection timeout (found by the
 * quorum-loss row of RELIABILITY.md).
 */
class TokenStoreOutageTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = ZooKeeperExtension.perTest();

    @Test
    void aTokenReadWhileZooKeeperIsDownFailsAtOnceAndWorksAgainAfter() throws Exception {
        CuratorFramework client = ZK.curator();
        TokenStore store = new TokenStore(client, new ZkLayout("/outage"));
        String id = "a".repeat(12);
        assertThat(store.read(id)).isEmpty();

        ZK.stop();
        Await.await("the client sees the outage", Duration.ofSeconds(20), () -> !client.getZookeeperClient().isConnected());
        long started = System.nanoTime();
        assertThatThrownBy(() -> store.read(id)).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("not connected to ZooKeeper");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));

        ZK.restart();
        Await.await("reads work again", Duration.ofSeconds(30), () -> {
            try {
                return store.read(id).isEmpty();
            } catch (StoreUnavailableException stillDown) {
                return false;
            }
        });
    }
    /** A manager starting while its client still connects (CI saw it fail at start): start-up waits for the connection. */
    @Test
    void startUpWaitsForAClientStillConnecting() throws Exception {
        ZK.stop();
        try (CuratorFramework client = io.lbmanager.zk.ZooKeeperClients.client(ZK.connectString(), 20_000, 15_000)) {
            client.start();
            TokenStore store = new TokenStore(client, new ZkLayout("/starting"));
            assertThatThrownBy(() -> store.read("b".repeat(12))).as("a read before the connection")
                    .isInstanceOf(StoreUnavailableException.class);
            Thread restart = new Thread(() -> {
                try {
                    Thread.sleep(500);
                    ZK.restart();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            restart.start();

            store.awaitConnection();

            assertThat(store.read("b".repeat(12))).isEmpty();
            restart.join();
        }
    }
}
