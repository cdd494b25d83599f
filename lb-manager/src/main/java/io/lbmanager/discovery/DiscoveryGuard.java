package io.lbmanager.discovery;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Fail static for discovery: when many instances vanish at once (more than a share of all of
 * them, as after a ZooKeeper wipe or a mass session expiry), or shortly after the manager's own
 * session was lost, a service that would lose every instance keeps its previous ones instead.
 * The hold lasts until the instances come back or an operator releases it.
 */
public final class DiscoveryGuard {

    /** The view to render from, and the discovery names held at their previous instances, with why. */
    public record Guarded(SortedMap<String, List<DiscoveredInstance>> view, SortedMap<String, String> held) {
    }

    private final double maxLossShare;
    private final int minInstances;
    private final long sessionGraceMillis;
    private SortedMap<String, List<DiscoveredInstance>> baseline;
    private volatile long sessionLostAtMillis = -1;
    private volatile boolean releaseRequested;

    /**
     * @param maxLossShare       share (0..1) of all instances that may vanish in one step before the guard holds
     * @param minInstances       below this many instances the share rule does not apply
     * @param sessionGraceMillis how long after the manager's own session loss any service emptying is held
     */
    public DiscoveryGuard(double maxLossShare, int minInstances, long sessionGraceMillis) {
        this.maxLossShare = maxLossShare;
        this.minInstances = minInstances;
        this.sessionGraceMillis = sessionGraceMillis;
    }

    public synchronized Guarded guard(SortedMap<String, List<DiscoveredInstance>> current, long nowMillis) {
        if (baseline == null || releaseRequested) {
            releaseRequested = false;
            baseline = current;
            return new Guarded(current, Collections.emptySortedMap());
        }
        int before = routable(baseline).size();
        Set<String> vanished = new HashSet<>(routable(baseline));
        vanished.removeAll(routable(current));
        boolean massLoss = before >= minInstances && vanished.size() > maxLossShare * before;
        boolean afterSessionLoss = sessionLostAtMillis >= 0 && nowMillis - sessionLostAtMillis < sessionGraceMillis;
        if (!massLoss && !afterSessionLoss) {
            baseline = current;
            return new Guarded(current, Collections.emptySortedMap());
        }
        String reason = massLoss
                ? vanished.size() + " of " + before + " discovered instances vanished at once (more than " + Math.round(maxLossShare * 100)
                + "%); previous instances held"
                : "the manager's ZooKeeper session was lost recently; previous instances held";
        TreeMap<String, List<DiscoveredInstance>> view = new TreeMap<>(current);
        TreeMap<String, String> held = new TreeMap<>();
        baseline.forEach((name, instances) -> {
            boolean hadAny = instances.stream().anyMatch(DiscoveredInstance::enabled);
            boolean hasAny = current.getOrDefault(name, List.of()).stream().anyMatch(DiscoveredInstance::enabled);
            if (hadAny && !hasAny) {
                view.put(name, instances);
                held.put(name, reason);
            }
        });
        baseline = view;
        return new Guarded(Collections.unmodifiableSortedMap(view), Collections.unmodifiableSortedMap(held));
    }

    /** The manager's ZooKeeper session was lost: what discovery shows next may be missing whole services. */
    public void sessionLost(long nowMillis) {
        sessionLostAtMillis = nowMillis;
    }

    /** An operator accepts what discovery shows now: the next render applies it as it is. */
    public void release() {
        releaseRequested = true;
        sessionLostAtMillis = -1;
    }

    private static Set<String> routable(SortedMap<String, List<DiscoveredInstance>> view) {
        Set<String> keys = new HashSet<>();
        view.forEach((name, instances) -> instances.stream().filter(DiscoveredInstance::enabled)
                .forEach(i -> keys.add(name + "|" + i.address() + ":" + i.port())));
        return keys;
    }
}
