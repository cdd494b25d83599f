package io.lbmanager.fleet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out ports that are free on one address, the way a Mesos offer hands a task its ports, and
 * from the same range a Mesos agent offers by default (31000-32000). That range lies below Linux's
 * ephemeral ports (32768-60999), so an outgoing connection cannot take a port between its
 * allocation and Nginx's bind, as it could when ports came from binding port 0. A port is free
 * when nothing listens on it and no task was given it (its container may not listen yet).
 */
final class LoopbackPorts {

    static final int MESOS_FIRST = 31000;
    static final int MESOS_LAST = 32000;

    private final InetAddress address;
    private final int first;
    private final int last;

    LoopbackPorts(InetAddress address) {
        this(address, MESOS_FIRST, MESOS_LAST);
    }

    LoopbackPorts(InetAddress address, int first, int last) {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("port range " + first + "-" + last + " is not within 1-65535");
        }
        this.address = address;
        this.first = first;
        this.last = last;
    }

    /** A free port of the range, starting the search at a random one so that fleets sharing a host rarely meet. */
    synchronized int allocate(Set<Integer> givenToTasks) {
        int size = last - first + 1;
        int start = ThreadLocalRandom.current().nextInt(size);
        for (int i = 0; i < size; i++) {
            int port = first + (start + i) % size;
            if (!givenToTasks.contains(port) && nothingListensOn(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port in " + first + "-" + last + " on " + address.getHostAddress()
                + ": every one is listened on or given to a task");
    }

    boolean nothingListensOn(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, address)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
