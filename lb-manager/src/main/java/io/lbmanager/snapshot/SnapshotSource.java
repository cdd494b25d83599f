package io.lbmanager.snapshot;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.catalog.ServiceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one merge point of desired state. The catalog watch and discovery feed it their changes;
 * after each burst it takes one immutable {@link CatalogSnapshot}, applies the
 * {@link DiscoveryGuard} to it (here, and nowhere else), and hands the guarded snapshot to every
 * {@link SnapshotListener}, in the order they were added, on its own thread. Nothing is handed
 * out before both catalog and discovery were read in full: a partial snapshot would drop services.
 * Each snapshot is the previous one with only the services and discovery names that changed
 * since rebuilt ({@link #rebuilds}), so a change costs what changed, not the catalog.
 */
public final class SnapshotSource implements DiscoveryFeed, Managed {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotSource.class);
    private static final Comparator<DiscoveredInstance> INSTANCE_ORDER = Comparator.comparing(DiscoveredInstance::address)
            .thenComparingInt(DiscoveredInstance::port).thenComparing(DiscoveredInstance::id);

    private final DiscoveryGuard guard;
    private final List<SnapshotListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, ServiceRecord> services = new ConcurrentHashMap<>();
    private final Set<String> groups = ConcurrentHashMap.newKeySet();
    private final Map<String, String> refusedCatalogNodes = new ConcurrentHashMap<>();
    private final Map<String, DiscoveredInstance> instancesByPath = new ConcurrentHashMap<>();
    /** The same instances by discovery name, then path: what a changed name's list is rebuilt from. */
    private final Map<String, Map<String, DiscoveredInstance>> instancesByName = new ConcurrentHashMap<>();
    private final Set<String> changedServiceIds = ConcurrentHashMap.newKeySet();
    private final Set<String> changedNames = ConcurrentHashMap.newKeySet();
    private final Map<String, String> refusedDiscoveryNodes = new ConcurrentHashMap<>();
    private final CountDownLatch catalogRead = new CountDownLatch(1);
    private final CountDownLatch discoveryRead = new CountDownLatch(1);
    private final CountDownLatch firstSnapshot = new CountDownLatch(1);
    private final Set<SnapshotChange.Cause> pendingCauses = EnumSet.noneOf(SnapshotChange.Cause.class);
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "snapshot");
        thread.setDaemon(true);
        return thread;
    });
    private volatile CatalogSnapshot current = CatalogSnapshot.EMPTY;
    /** Discovery as it is, before the guard; touched by the snapshot thread only. */
    private PersistentSortedMap<String, List<DiscoveredInstance>> unguarded = PersistentSortedMap.empty();
    private PersistentSortedMap<String, ServiceRecord> servicesView = PersistentSortedMap.empty();
    private final AtomicLong rebuilds = new AtomicLong();
    /** When the guard is to be asked again because its holds end then; touched by the snapshot thread only. */
    private long holdsReviewAtMillis;

    public SnapshotSource(DiscoveryGuard guard) {
        this.guard = guard;
    }

    /** Adds a consumer; add every one before the watches start. */
    public SnapshotSource tell(SnapshotListener listener) {
        listeners.add(listener);
        return this;
    }

    @Override
    public void start() {
    }

    @Override
    public void stop() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }

    /** The last guarded snapshot handed out; {@link CatalogSnapshot#EMPTY} before the first. */
    public CatalogSnapshot current() {
        return current;
    }

    /** Services and discovery names rebuilt into a snapshot since start: one per changed service or name, not per catalog. */
    public long rebuilds() {
        return rebuilds.get();
    }

    /** The LB groups of the last snapshot. */
    public SortedSet<String> groups() {
        return current.groups();
    }

    /** True once the first full snapshot was handed out. */
    public boolean isComplete() {
        return firstSnapshot.getCount() == 0;
    }

    public boolean awaitComplete(long timeout, TimeUnit unit) throws InterruptedException {
        return firstSnapshot.await(timeout, unit);
    }

    /** Catalog nodes whose current content was refused (their last good value is still used), by path, with why. */
    public SortedMap<String, String> refusedCatalogNodes() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(refusedCatalogNodes));
    }

    /** Discovery nodes that were refused, by path, with why. */
    public SortedMap<String, String> refusedDiscoveryNodes() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(refusedDiscoveryNodes));
    }

    /** The manager's ZooKeeper session was lost: what discovery shows next may be missing whole services. */
    public void sessionLost(long nowMillis) {
        guard.sessionLost(nowMillis);
    }

    /** The manager talks to ZooKeeper again. */
    public void reconnected(long nowMillis) {
        guard.reconnected(nowMillis);
    }

    /** An operator accepts what discovery shows now: the next snapshot routes it as it is. */
    public void releaseHolds() {
        guard.release();
        changed(SnapshotChange.Cause.HOLDS_RELEASED);
    }

    // --- the catalog watch ---

    void serviceChanged(String serviceId, ServiceRecord service, String path) {
        refusedCatalogNodes.remove(path);
        if (!service.equals(services.put(serviceId, service))) {
            changedServiceIds.add(serviceId);
            changed(SnapshotChange.Cause.CATALOG);
        }
    }

    void serviceRemoved(String serviceId, String path) {
        refusedCatalogNodes.remove(path);
        if (services.remove(serviceId) != null) {
            changedServiceIds.add(serviceId);
            changed(SnapshotChange.Cause.CATALOG);
        }
    }

    void groupAdded(String group) {
        if (groups.add(group)) {
            changed(SnapshotChange.Cause.CATALOG);
        }
    }

    void groupRemoved(String group) {
        if (groups.remove(group)) {
            changed(SnapshotChange.Cause.CATALOG);
        }
    }

    /** @return true when this is news (the node was not refused for the same reason before) */
    boolean catalogNodeRefused(String path, String reason) {
        return !reason.equals(refusedCatalogNodes.put(path, reason));
    }

    void catalogRead() {
        LOG.info("catalog read services={} groups={} refused={}", services.size(), groups.size(), refusedCatalogNodes.size());
        catalogRead.countDown();
        changed(SnapshotChange.Cause.FIRST_READ);
    }

    // --- discovery ---

    @Override
    public void instanceChanged(String path, DiscoveredInstance instance) {
        refusedDiscoveryNodes.remove(path);
        DiscoveredInstance before = instancesByPath.put(path, instance);
        if (!instance.equals(before)) {
            if (before != null && !before.name().equals(instance.name())) {
                forgetByName(before.name(), path);
            }
            instancesByName.compute(instance.name(), (name, byPath) -> {
                Map<String, DiscoveredInstance> next = byPath == null ? new ConcurrentHashMap<>() : byPath;
                next.put(path, instance);
                return next;
            });
            changedNames.add(instance.name());
            changed(SnapshotChange.Cause.DISCOVERY);
        }
    }

    @Override
    public void instanceRemoved(String path) {
        refusedDiscoveryNodes.remove(path);
        forgetInstance(path);
    }

    @Override
    public void discoveryNodeRefused(String path, String reason) {
        refusedDiscoveryNodes.put(path, reason);
        forgetInstance(path);
    }

    private void forgetInstance(String path) {
        DiscoveredInstance gone = instancesByPath.remove(path);
        if (gone != null) {
            forgetByName(gone.name(), path);
            changed(SnapshotChange.Cause.DISCOVERY);
        }
    }

    private void forgetByName(String name, String path) {
        instancesByName.computeIfPresent(name, (n, byPath) -> {
            byPath.remove(path);
            return byPath.isEmpty() ? null : byPath;
        });
        changedNames.add(name);
    }

    @Override
    public void discoveryRead() {
        LOG.info("discovery read instances={} refused={}", instancesByPath.size(), refusedDiscoveryNodes.size());
        discoveryRead.countDown();
        changed(SnapshotChange.Cause.FIRST_READ);
    }

    // --- taking snapshots ---

    private void changed(SnapshotChange.Cause cause) {
        boolean schedule;
        synchronized (pendingCauses) {
            schedule = pendingCauses.isEmpty();
            pendingCauses.add(cause);
        }
        if (schedule) {
            try {
                executor.execute(this::takeSnapshot);
            } catch (RejectedExecutionException stopped) {
                // shutting down
            }
        }
    }

    private void takeSnapshot() {
        SnapshotChange change;
        synchronized (pendingCauses) {
            change = new SnapshotChange(pendingCauses);
            pendingCauses.clear();
        }
        if (catalogRead.getCount() > 0 || discoveryRead.getCount() > 0) {
            return; // the read that completes both sends FIRST_READ
        }
        if (firstSnapshot.getCount() > 0) {
            change = new SnapshotChange(EnumSet.of(SnapshotChange.Cause.FIRST_READ));
        }
        Set<String> names = drain(changedNames);
        for (String name : names) {
            List<DiscoveredInstance> instances = instancesOf(name);
            unguarded = instances.isEmpty() ? unguarded.minus(name) : unguarded.plus(name, instances);
        }
        for (String serviceId : drain(changedServiceIds)) {
            ServiceRecord service = services.get(serviceId);
            servicesView = service == null ? servicesView.minus(serviceId) : servicesView.plus(serviceId, service);
            rebuilds.incrementAndGet();
        }
        rebuilds.addAndGet(names.size());
        DiscoveryGuard.Guarded guarded = guard.guard(unguarded, names, System.currentTimeMillis());
        CatalogSnapshot snapshot = new CatalogSnapshot(new TreeSet<>(groups), servicesView, guarded.view(), guarded.held());
        current = snapshot;
        firstSnapshot.countDown();
        reviewHoldsAt(guarded.holdsEndAtMillis());
        for (SnapshotListener listener : listeners) {
            try {
                listener.snapshotChanged(snapshot, change);
            } catch (RuntimeException e) {
                LOG.error("snapshot listener {} failed", listener.getClass().getSimpleName(), e);
            }
        }
    }

    private void reviewHoldsAt(long atMillis) {
        if (atMillis <= 0 || atMillis == holdsReviewAtMillis) {
            return;
        }
        holdsReviewAtMillis = atMillis;
        try {
            executor.schedule(() -> changed(SnapshotChange.Cause.HOLDS_ENDED), Math.max(0, atMillis - System.currentTimeMillis()) + 1,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopped) {
            // shutting down
        }
    }

    /** A discovery name's instances now, in a stable order. */
    private List<DiscoveredInstance> instancesOf(String name) {
        Map<String, DiscoveredInstance> byPath = instancesByName.getOrDefault(name, Map.of());
        return byPath.values().stream().sorted(INSTANCE_ORDER).toList();
    }

    private static Set<String> drain(Set<String> changed) {
        Set<String> drained = new TreeSet<>();
        for (Iterator<String> it = changed.iterator(); it.hasNext(); ) {
            drained.add(it.next());
            it.remove();
        }
        return drained;
    }
}
