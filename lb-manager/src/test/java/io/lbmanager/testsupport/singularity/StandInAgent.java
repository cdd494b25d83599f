package io.lbmanager.testsupport.singularity;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A Mesos agent the master stand-in pretends to have: its own loopback address as host name
 * (127.0.0.2, 127.0.0.3, ...: distinct hosts for Singularity's placement rules, all reachable
 * here), its own rack, a port range no other agent offers, and attributes.
 */
public record StandInAgent(String id, String host, String rack, int firstPort, int lastPort, double cpus, double memoryMb,
                           Map<String, String> attributes) {

    /** {@code count} agents with {@code portsEach} ports each from {@code firstPort} on, attributes plus {@code rackid}. */
    public static List<StandInAgent> onLoopback(int count, int firstPort, int portsEach, Map<String, String> attributes) {
        List<StandInAgent> agents = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int from = firstPort + i * portsEach;
            agents.add(new StandInAgent("standin-agent-" + (i + 1), "127.0.0." + (i + 2), "rack" + (i + 1), from,
                    from + portsEach - 1, 4, 4096, attributes));
        }
        return agents;
    }

    /** The first port of {@code count} consecutive ports that are free on every address now. */
    public static int freePortRange(int count) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first = 20_000 + ThreadLocalRandom.current().nextInt(0, 800) * 10;
            boolean free = true;
            for (int port = first; port < first + count && free; port++) {
                try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("0.0.0.0"))) {
                    socket.setReuseAddress(true);
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IOException("no " + count + " consecutive free ports found");
    }
}
