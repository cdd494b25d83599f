package io.lbmanager.snapshot;

import io.lbmanager.snapshot.DiscoveryGuard;
import io.lbmanager.snapshot.DiscoveredInstance;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Fail static for discovery: when many instances vanish at once (more than a share of all of
 * them within a short window, as after a ZooKeeper wipe or a mass session expiry), or shortly after the manager's own
 * session was lost, a service that would lose every instance keeps its previous ones instead.
 * The hold lasts until the instances come back or an operator releases it.
 */
public final class DiscoveryGuard {

    /** The view to render from, and the discovery names held at their previous instances, with why. */
    public record Guarded(SortedMap<String, List<DiscoveredInstance>> view, SortedMap<String, String> held) {
    }

    /** How long a vanished instance counts toward a mass loss: discovery reports a wipe one node at a time. */
    public static final long DEFAULT_LOSS_WINDOW_MILLIS = 10_000;

    private final double maxLossShare;
    private final int minInstances;
    private final long sessionGraceMillis;
    private final long lossWindowMillis;
    private SortedMap<String, List<DiscoveredInstance>> baseline;
    /** Instances (by name|address:port) that vanished within the loss window, or at any time while a hold lasts. */
    private final Map<String, Vanished> recentlyVanished = new HashMap<>();
    private boolean holding;
    private volatile long sessionLostAtMillis = -1;
    private volatile boolean releaseRequested;

    private record Vanished(DiscoveredInstance instance, long atMillis) {
    }

    public DiscoveryGuard(double maxLossShare, int minInstances, long sessionGraceMillis) {
        this(maxLossShare, minInstances, sessionGraceMillis, DEFAULT_LOSS_WINDOW_MILLIS);
    }

    /**
     * @param maxLossShare       share (0..1) of all instances that may vanish within the loss window before the guard holds
     * @param minInstances       below this many instances the share rule does not apply
     * @param sessionGraceMillis how long after the manager's own session loss any service emptying is held
     * @param lossWindowMillis   how long a vanished instance counts toward the share, so a wipe seen one node at a time is one loss
     */
    public DiscoveryGuard(double maxLossShare, int minInstances, long sessionGraceMillis, long lossWindowMillis) {
        this.maxLossShare = maxLossShare;
        this.minInstances = minInstances;
        this.sessionGraceMillis = sessionGraceMillis;
        this.lossWindowMillis = lossWindowMillis;
    }

    public synchronized Guarded guard(SortedMap<String, List<DiscoveredInstance>> current, long nowMillis) {
        if (baseline == null || releaseRequested) {
            releaseRequested = false;
            recentlyVanished.clear();
            holding = false;
            baseline = current;
            return new Guarded(current, Collections.emptySortedMap());
        }
        Map<String, DiscoveredInstance> routableNow = routable(current);
        Map<String, DiscoveredInstance> routableBefore = routable(baseline);
        routableBefore.forEach((key, instance) -> {
            if (!routableNow.containsKey(key)) {
                recentlyVanished.putIfAbsent(key, new Vanished(instance, nowMillis));
            }
        });
        recentlyVanished.keySet().removeAll(routableNow.keySet());
        if (!holding) {
            recentlyVanished.values().removeIf(v -> nowMillis - v.atMillis() > lossWindowMillis);
        }
        Set<String> before = new HashSet<>(routableBefore.keySet());
        before.addAll(recentlyVanished.keySet());
        int population = before.size();
        boolean massLoss = population >= minInstances && recentlyVanished.size() > maxLossShare * population;
        boolean afterSessionLoss = sessionLostAtMillis >= 0 && nowMillis - sessionLostAtMillis < sessionGraceMillis;
        if (!massLoss && !afterSessionLoss) {
            holding = false;
            baseline = current;
            return new Guarded(current, Collections.emptySortedMap());
        }
        String reason = massLoss
                ? recentlyVanished.size() + " of " + population + " discovered instances vanished within " + lossWindowMillis / 1000
                + " s (more than " + Math.round(maxLossShare * 100) + "%); previous instances held"
                : "the manager's ZooKeeper session was lost recently; previous instances held";
        TreeMap<String, List<DiscoveredInstance>> view = new TreeMap<>(current);
        TreeMap<String, String> held = new TreeMap<>();
        for (Map.Entry<String, List<DiscoveredInstance>> restore : restorable(baseline).entrySet()) {
            String name = restore.getKey();
            boolean hasAny = current.getOrDefault(name, List.of()).stream().anyMatch(DiscoveredInstance::enabled);
            if (!hasAny) {
                view.put(name, restore.getValue());
                held.put(name, reason);
            }
        }
        holding = !held.isEmpty();
        baseline = view;
        return new Guarded(Collections.unmodifiableSortedMap(view), Collections.unmodifiableSortedMap(held));
    }

    /** Per discovery name, the enabled instances it had before: those of the baseline and those that vanished recently. */
    private SortedMap<String, List<DiscoveredInstance>> restorable(SortedMap<String, List<DiscoveredInstance>> before) {
        TreeMap<String, Map<String, DiscoveredInstance>> byName = new TreeMap<>();
        routable(before).forEach((key, instance) -> byName.computeIfAbsent(instance.name(), n -> new TreeMap<>()).put(key, instance));
        recentlyVanished.forEach((key, vanished) ->
                byName.computeIfAbsent(vanished.instance().name(), n -> new TreeMap<>()).putIfAbsent(key, vanished.instance()));
        TreeMap<String, List<DiscoveredInstance>> restorable = new TreeMap<>();
        byName.forEach((name, instances) -> restorable.put(name, List.copyOf(instances.values())));
        return restorable;
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

    private static Map<String, DiscoveredInstance> routable(SortedMap<String, List<DiscoveredInstance>> view) {
        Map<String, DiscoveredInstance> routable = new HashMap<>();
        view.forEach((name, instances) -> instances.stream().filter(DiscoveredInstance::enabled)
                .forEach(i -> routable.put(name + "|" + i.address() + ":" + i.port(), i)));
        return routable;
    }
}
