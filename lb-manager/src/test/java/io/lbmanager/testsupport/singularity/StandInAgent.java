package io.lbmanager.testsupport.singularity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
}
