package io.lbmanager.snapshot;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Fail static for discovery, on evidence of a mass loss only. A service that would lose every
 * instance keeps its previous ones when many instances vanish at once (more than a share of all
 * of them within a short window, from at least {@code minServicesLost} services, as after a
 * ZooKeeper wipe or a mass session expiry), or shortly after the manager's own session was lost.
 * One service losing its instances while the rest of discovery is unchanged is never held: that
 * is a deploy or a scale to zero. A hold ends when the instances come back, when an operator
 * releases it, or by itself {@code maxHoldMillis} after it began (counted from the manager's last
 * reconnection to ZooKeeper, so an outage does not end it); its reason says until when.
 */
public final class DiscoveryGuard {

    /**
     * The view to render from, the discovery names held at their previous instances, with why, and
     * when the holds end by themselves (0 when nothing is held): the guard must be asked again then.
     */
    public record Guarded(SortedMap<String, List<DiscoveredInstance>> view, SortedMap<String, String> held, long holdsEndAtMillis) {
        Guarded(SortedMap<String, List<DiscoveredInstance>> view) {
            this(view, Collections.emptySortedMap(), 0);
        }
    }

    /** How long a vanished instance counts toward a mass loss: discovery reports a wipe one node at a time. */
    public static final long DEFAULT_LOSS_WINDOW_MILLIS = 10_000;
    public static final int DEFAULT_MIN_SERVICES_LOST = 2;
    public static final long DEFAULT_MAX_HOLD_MILLIS = 60_000;

    private final double maxLossShare;
    private final int minInstances;
    private final long sessionGraceMillis;
    private final long lossWindowMillis;
    private final int minServicesLost;
    private final long maxHoldMillis;
    private SortedMap<String, List<DiscoveredInstance>> baseline;
    /** How many routable instances (by name|address:port) the baseline has; kept per change while nothing is held. */
    private int baselineRoutable;
    private long namesEvaluated;
    /** Instances (by name|address:port) that vanished within the loss window, or at any time while a hold lasts. */
    private final Map<String, Vanished> recentlyVanished = new HashMap<>();
    private boolean holding;
    private long holdingSinceMillis = -1;
    private volatile long sessionLostAtMillis = -1;
    private volatile long reconnectedAtMillis = -1;
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
        this(maxLossShare, minInstances, sessionGraceMillis, lossWindowMillis, DEFAULT_MIN_SERVICES_LOST, DEFAULT_MAX_HOLD_MILLIS);
    }

    /**
     * @param minServicesLost how many services must lose instances within the window for a loss to count as a mass loss
     * @param maxHoldMillis   how long a hold lasts at most once ZooKeeper answers again
     */
    public DiscoveryGuard(double maxLossShare, int minInstances, long sessionGraceMillis, long lossWindowMillis, int minServicesLost,
                          long maxHoldMillis) {
        this.maxLossShare = maxLossShare;
        this.minInstances = minInstances;
        this.sessionGraceMillis = sessionGraceMillis;
        this.lossWindowMillis = lossWindowMillis;
        this.minServicesLost = Math.max(1, minServicesLost);
        this.maxHoldMillis = maxHoldMillis;
    }

    /**
     * Guards {@code current}, which differs from the last view only in the discovery names
     * {@code changedNames}: while nothing is held, only those names are compared and the
     * whole-discovery counts are kept up to date by difference, so a change costs what changed.
     * When something is held, or might be, the whole of discovery is evaluated.
     */
    public synchronized Guarded guard(SortedMap<String, List<DiscoveredInstance>> current, Set<String> changedNames, long nowMillis) {
        if (baseline == null || releaseRequested || holding) {
            return guard(current, nowMillis);
        }
        boolean afterSessionLoss = sessionLostAtMillis >= 0 && nowMillis - sessionLostAtMillis < sessionGraceMillis;
        int routableNow = baselineRoutable;
        int newlyVanished = 0;
        for (String name : changedNames) {
            Map<String, DiscoveredInstance> before = routable(name, baseline.getOrDefault(name, List.of()));
            Map<String, DiscoveredInstance> now = routable(name, current.getOrDefault(name, List.of()));
            routableNow += now.size() - before.size();
            for (Map.Entry<String, DiscoveredInstance> gone : before.entrySet()) {
                if (!now.containsKey(gone.getKey())) {
                    recentlyVanished.putIfAbsent(gone.getKey(), new Vanished(gone.getValue(), nowMillis));
                    newlyVanished++;
                }
            }
            recentlyVanished.keySet().removeAll(now.keySet());
        }
        namesEvaluated += changedNames.size();
        recentlyVanished.values().removeIf(v -> nowMillis - v.atMillis() > lossWindowMillis);
        int population = baselineRoutable + recentlyVanished.size() - newlyVanished;
        if (afterSessionLoss || isMassLoss(population)) {
            return guard(current, nowMillis); // the same sums over the whole of discovery, and the holds
        }
        baseline = current;
        baselineRoutable = routableNow;
        return new Guarded(current);
    }

    /** Discovery names compared since start: what guarding has cost. */
    public synchronized long namesEvaluated() {
        return namesEvaluated;
    }

    private boolean isMassLoss(int population) {
        long servicesLost = recentlyVanished.values().stream().map(v -> v.instance().name()).distinct().count();
        return population >= minInstances && recentlyVanished.size() > maxLossShare * population && servicesLost >= minServicesLost;
    }

    /** Guards {@code current} by comparing the whole of discovery with the last view. */
    public synchronized Guarded guard(SortedMap<String, List<DiscoveredInstance>> current, long nowMillis) {
        if (baseline == null || releaseRequested) {
            releaseRequested = false;
            recentlyVanished.clear();
            return applyAsItIs(current);
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
        long servicesLost = recentlyVanished.values().stream().map(v -> v.instance().name()).distinct().count();
        boolean massLoss = isMassLoss(population);
        namesEvaluated += current.size();
        boolean afterSessionLoss = sessionLostAtMillis >= 0 && nowMillis - sessionLostAtMillis < sessionGraceMillis;
        if (!massLoss && !afterSessionLoss) {
            return applyAsItIs(current);
        }
        if (holdingSinceMillis < 0) {
            holdingSinceMillis = nowMillis;
        }
        long holdsEndAt = Math.max(holdingSinceMillis, reconnectedAtMillis) + maxHoldMillis;
        if (nowMillis >= holdsEndAt && !afterSessionLoss) {
            recentlyVanished.clear(); // held long enough: what discovery shows now is what it is
            return applyAsItIs(current);
        }
        String until = "; previous instances held until " + Instant.ofEpochMilli(holdsEndAt).truncatedTo(ChronoUnit.SECONDS)
                + " at the latest";
        String reason = massLoss
                ? recentlyVanished.size() + " of " + population + " discovered instances of " + servicesLost + " services vanished within "
                + lossWindowMillis / 1000 + " s (more than " + Math.round(maxLossShare * 100) + "%)" + until
                : "the manager's ZooKeeper session was lost recently" + until;
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
        if (!holding) {
            holdingSinceMillis = -1;
        }
        baseline = view;
        baselineRoutable = routable(view).size();
        return new Guarded(Collections.unmodifiableSortedMap(view), Collections.unmodifiableSortedMap(held), holding ? holdsEndAt : 0);
    }

    private Guarded applyAsItIs(SortedMap<String, List<DiscoveredInstance>> current) {
        holding = false;
        holdingSinceMillis = -1;
        baseline = current;
        baselineRoutable = routable(current).size();
        return new Guarded(current);
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

    /** The manager talks to ZooKeeper again: a hold lasts at most its maximum from now on. */
    public void reconnected(long nowMillis) {
        reconnectedAtMillis = nowMillis;
    }

    /** An operator accepts what discovery shows now: the next render applies it as it is. */
    public void release() {
        releaseRequested = true;
        sessionLostAtMillis = -1;
    }

    private static Map<String, DiscoveredInstance> routable(SortedMap<String, List<DiscoveredInstance>> view) {
        Map<String, DiscoveredInstance> routable = new HashMap<>();
        view.forEach((name, instances) -> routable.putAll(routable(name, instances)));
        return routable;
    }

    /** One discovery name's enabled instances, by name|address:port. */
    private static Map<String, DiscoveredInstance> routable(String name, List<DiscoveredInstance> instances) {
        Map<String, DiscoveredInstance> routable = new HashMap<>();
        instances.stream().filter(DiscoveredInstance::enabled).forEach(i -> routable.put(name + "|" + i.address() + ":" + i.port(), i));
        return routable;
    }
}
