package io.lbmanager.fleet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;

/**
 * Fixed traffic ports of LB groups that need stable addresses (edge load balancers behind DNS or a
 * hardware front end). On the local engine a group's tasks take the lowest free port of the group's
 * list, so a replacement takes the port of the task it replaces; on Singularity a group has one
 * port, the same on every host (one task per host). Groups not named keep dynamic ports.
 */
public record StablePorts(Map<String, List<Integer>> byGroup) {

    private static final String GROUP_PATTERN = "[a-zA-Z0-9][a-zA-Z0-9_.-]*";

    public static final StablePorts NONE = new StablePorts(Map.of());

    /** Checks every group's list: valid group names, ports within 1-65535, no port named twice (in any group). */
    public StablePorts {
        Map<String, List<Integer>> copy = new LinkedHashMap<>();
        Set<Integer> seen = new TreeSet<>();
        for (Map.Entry<String, List<Integer>> entry : byGroup.entrySet()) {
            String group = entry.getKey();
            if (group == null || !group.matches(GROUP_PATTERN)) {
                throw new IllegalArgumentException("fleet.stablePorts: group must match " + GROUP_PATTERN + ", was '" + group + "'");
            }
            List<Integer> ports = entry.getValue();
            if (ports == null || ports.isEmpty()) {
                throw new IllegalArgumentException("fleet.stablePorts." + group + ": give at least one port");
            }
            for (Integer port : ports) {
                if (port == null || port < 1 || port > 65535) {
                    throw new IllegalArgumentException("fleet.stablePorts." + group + ": " + port + " is not a port (1-65535)");
                }
                if (!seen.add(port)) {
                    throw new IllegalArgumentException("fleet.stablePorts." + group + ": port " + port + " is named twice");
                }
            }
            copy.put(group, List.copyOf(ports));
        }
        byGroup = Map.copyOf(copy);
    }

    public boolean has(String group) {
        return byGroup.containsKey(group);
    }

    public List<Integer> of(String group) {
        return byGroup.getOrDefault(group, List.of());
    }

    /** Every stable port of every group: dynamic ports are never taken from these. */
    public Set<Integer> all() {
        Set<Integer> all = new TreeSet<>();
        byGroup.values().forEach(all::addAll);
        return all;
    }

    /** Local engine: a group with stable ports runs at most as many tasks as it has ports. */
    public void requireRoomFor(Map<String, Integer> instances) {
        instances.forEach((group, count) -> requireRoomFor(group, count == null ? 0 : count));
    }

    public void requireRoomFor(String group, int instances) {
        if (has(group) && instances > of(group).size()) {
            throw new IllegalArgumentException("group " + group + " has " + of(group).size() + " stable traffic port(s) "
                    + of(group) + " (fleet.stablePorts), too few for " + instances + " instances");
        }
    }

    /** Singularity: every task of a group listens on the same port of its own host. */
    public void requireOnePortPerGroup() {
        byGroup.forEach((group, ports) -> {
            if (ports.size() != 1) {
                throw new IllegalArgumentException("fleet.stablePorts." + group + ": Singularity runs one task per host on one "
                        + "port; give exactly one port, not " + ports);
            }
        });
    }

    /** The lowest port of the group that no task was given and nothing listens on. */
    public OptionalInt free(String group, Set<Integer> givenToTasks, IntPredicate listenedOn) {
        for (int port : of(group)) {
            if (!givenToTasks.contains(port) && !listenedOn.test(port)) {
                return OptionalInt.of(port);
            }
        }
        return OptionalInt.empty();
    }

    /** Why no port is free, naming each port's holder, for a failed start. */
    public String whyNoneFree(String group, Set<Integer> givenToTasks) {
        List<String> holders = new ArrayList<>();
        for (int port : of(group)) {
            holders.add(port + (givenToTasks.contains(port) ? " (a task of this fleet)" : " (another process listens)"));
        }
        return "group " + group + " has no free stable traffic port: " + String.join(", ", holders);
    }
}
