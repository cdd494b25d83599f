package io.lbmanager.snapshot;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.catalog.ServiceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
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

/**
 * The one merge point of desired state. The catalog watch and discovery feed it their changes;
 * after each burst it takes one immutable {@link CatalogSnapshot}, applies the
 * {@link DiscoveryGuard} to it (here, and nowhere else), and hands the guarded snapshot to every
 * {@link SnapshotListener}, in the order they were added, on its own thread. Nothing is handed
 * out before both catalog and discovery were read in full: a partial snapshot would drop services.
 */
public final class SnapshotSource implements DiscoveryFeed, Managed {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotSource.class);

    private final DiscoveryGuard guard;
    private final List<SnapshotListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, ServiceRecord> services = new ConcurrentHashMap<>();
    private final Set<String> groups = ConcurrentHashMap.newKeySet();
    private final Map<String, String> refusedCatalogNodes = new ConcurrentHashMap<>();
    private final Map<String, DiscoveredInstance> instancesByPath = new ConcurrentHashMap<>();
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
            changed(SnapshotChange.Cause.CATALOG);
        }
    }

    void serviceRemoved(String serviceId, String path) {
        refusedCatalogNodes.remove(path);
        if (services.remove(serviceId) != null) {
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
        if (!instance.equals(instancesByPath.put(path, instance))) {
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
        if (instancesByPath.remove(path) != null) {
            changed(SnapshotChange.Cause.DISCOVERY);
        }
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
        DiscoveryGuard.Guarded guarded = guard.guard(instancesByName(), System.currentTimeMillis());
        CatalogSnapshot snapshot = new CatalogSnapshot(new TreeSet<>(groups), new TreeMap<>(services), guarded.view(), guarded.held());
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

    /** Every routable instance, by discovery name, in a stable order. */
    private SortedMap<String, List<DiscoveredInstance>> instancesByName() {
        TreeMap<String, List<DiscoveredInstance>> byName = new TreeMap<>();
        for (DiscoveredInstance instance : instancesByPath.values()) {
            byName.computeIfAbsent(instance.name(), n -> new ArrayList<>()).add(instance);
        }
        Comparator<DiscoveredInstance> order = Comparator.comparing(DiscoveredInstance::address)
                .thenComparingInt(DiscoveredInstance::port).thenComparing(DiscoveredInstance::id);
        byName.replaceAll((name, list) -> list.stream().sorted(order).toList());
        return byName;
    }
}
