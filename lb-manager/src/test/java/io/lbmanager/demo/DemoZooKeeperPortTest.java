package io.lbmanager.demo;

import io.lbmanager.testsupport.Http;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo's ZooKeeper keeps its documented port when free and says so when it must take another. */
class DemoZooKeeperPortTest {

    @Test
    void aFreePortIsKept() {
        int port = Http.freePort();
        assertThat(DemoCommand.zooKeeperPort(port)).isEqualTo(port);
    }

    @Test
    void aTakenPortFallsBackToAFreeOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(DemoCommand.zooKeeperPort(taken.getLocalPort())).isZero();
        }
    }
}
