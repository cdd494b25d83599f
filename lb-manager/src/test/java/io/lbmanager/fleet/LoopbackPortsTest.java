package io.lbmanager.fleet;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real binds on 127.0.0.1, in a three-port range taken from the top of the default one. */
class LoopbackPortsTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void theDefaultRangeIsMesossAndBelowTheEphemeralPorts() {
        int port = new LoopbackPorts(LOOPBACK).allocate(Set.of());

        assertThat(port).isBetween(LoopbackPorts.MESOS_FIRST, LoopbackPorts.MESOS_LAST).isLessThan(32768);
    }

    @Test
    void skipsPortsGivenToTasksAndPortsSomethingListensOn() throws Exception {
        int first = LoopbackPorts.MESOS_LAST - 2;
        LoopbackPorts ports = new LoopbackPorts(LOOPBACK, first, first + 2);
        Set<Integer> seen = new HashSet<>();
        try (ServerSocket listening = new ServerSocket(first + 1, 1, LOOPBACK)) {
            for (int i = 0; i < 20; i++) {
                seen.add(ports.allocate(Set.of(first)));
            }
            assertThat(seen).containsExactly(first + 2);

            assertThatThrownBy(() -> ports.allocate(Set.of(first, first + 2)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no free port in " + first + "-" + (first + 2));
        }
    }
}
