package io.lbmanager.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Hands out ports that are free on one address, the way a Mesos offer hands a task its ports.
 * A port is free when nothing listens on it and no task was given it (its container may not
 * listen yet).
 */
final class LoopbackPorts {

    private final InetAddress address;

    LoopbackPorts(InetAddress address) {
        this.address = address;
    }

    synchronized int allocate(Set<Integer> givenToTasks) {
        Set<Integer> tried = new HashSet<>();
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = probeFreePort();
            if (!givenToTasks.contains(port) && tried.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port on " + address.getHostAddress() + " after 50 attempts");
    }

    private int probeFreePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, address)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot probe a free port on " + address.getHostAddress(), e);
        }
    }
}
