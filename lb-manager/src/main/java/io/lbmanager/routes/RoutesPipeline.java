package io.lbmanager.routes;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.catalog.CatalogWrites;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.rollout.RolloutCoordinator.Proposal;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.SnapshotChange;
import io.lbmanager.snapshot.SnapshotListener;
import io.lbmanager.zk.Leadership;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Snapshot -> each group's routing table ({@link GroupRoutes}) -> {@link RoutesRollout}, on the
 * leading manager, for groups whose services Lua routes. No render, no {@code nginx -t}, no reload:
 * a route line is checked by {@code RouteLine} and again by the agent and Nginx. Snapshots that
 * arrive while a pass runs are coalesced into one next pass over the newest.
 *
 * <p>A route goes into the table only once the group's config target has its option profile: a
 * service whose new profile is still being rolled out, or whose config version was reverted, must
 * not hold back every other route change of the group (agents confirm a table only when their
 * config has all its profiles). Meanwhile the service keeps the line proposed before (its old
 * profile, which the renderer keeps while a proposed table names it: {@link ProposedRoutes}); a new
 * service waits. A new config target starts a pass ({@link #configTargetMoved}); while a route
 * waits, passes also repeat every {@value #WAITING_PASS_MILLIS} ms.
 *
 * <p>While this manager answers catalog calls, a pass waits for them (at most {@value #MAX_GATHER_MILLIS} ms):
 * services PUT together go out in one table, not one for the first and one for the rest.
 */
public final class RoutesPipeline implements Managed, SnapshotListener, Leadership.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(RoutesPipeline.class);

    /** The option profiles of a group's config target; empty while the group has none. */
    @FunctionalInterface
    public interface ConfigProfiles {
        Optional<Set<String>> of(String group) throws Exception;
    }

    /** The routing tables a group's agents may hold now (its live and target tables), oldest first. */
    @FunctionalInterface
    public interface HeldTables {
        List<RoutingTable> of(String group) throws Exception;
    }

    static final long WAITING_PASS_MILLIS = 1_000;
    /** How long a pass may wait for API calls answered together ({@link CatalogWrites}) after the first change it holds. */
    static final long MAX_GATHER_MILLIS = 1_000;

    private final RoutesRollout rollout;
    private final UpstreamMode mode;
    private final BooleanSupplier isLeader;
    private final ConfigProfiles configProfiles;
    private final ProposedRoutes proposed;
    private final CatalogWrites writes;
    private volatile HeldTables held = group -> List.of();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "routes-pipeline");
        thread.setDaemon(true);
        return thread;
    });
    /** The pass queued and not yet started, and when it runs (System.nanoTime()); guarded by this. */
    private ScheduledFuture<?> queued;
    private long queuedRunsAt;
    /** Per group, the sha256 of the table proposed last and what came of it. */
    private final Map<String, String> lastProposed = new ConcurrentHashMap<>();
    private final Map<String, Proposal> outcomes = new ConcurrentHashMap<>();
    /** Per group, its table as built pass after pass. Pass thread only. */
    private final Map<String, GroupRoutes> groups = new HashMap<>();
    /** Groups whose held tables were read since this manager last gained leadership. Pass thread only. */
    private final Set<String> seeded = new HashSet<>();
    private volatile boolean leadershipMoved;
    private volatile CatalogSnapshot latest;
    /** When the pass now held for API calls was first due (System.nanoTime()); 0 while none is held. Pass thread only. */
    private long gatheringSince;

    public RoutesPipeline(RoutesRollout rollout, UpstreamMode mode, BooleanSupplier isLeader, ConfigProfiles configProfiles) {
        this(rollout, mode, isLeader, configProfiles, new ProposedRoutes(), new CatalogWrites());
    }

    /** @param writes the catalog calls this manager answers: a pass waits for those answered together, so they make one table */
    public RoutesPipeline(RoutesRollout rollout, UpstreamMode mode, BooleanSupplier isLeader, ConfigProfiles configProfiles,
                          ProposedRoutes proposed, CatalogWrites writes) {
        this.rollout = rollout;
        this.mode = mode;
        this.isLeader = isLeader;
        this.configProfiles = configProfiles;
        this.proposed = proposed;
        this.writes = writes.whenIdle(this::queuePass);
    }

    /**
     * After gaining leadership, first records as proposed the tables the group's agents may hold
     * (read from ZooKeeper): a service the last leader kept at its old line while its new profile
     * waited for the config keeps that line, and the renderer keeps the profiles those tables name.
     */
    public RoutesPipeline seedingFrom(HeldTables held) {
        this.held = held;
        return this;
    }

    @Override
    public void snapshotChanged(CatalogSnapshot snapshot, SnapshotChange change) {
        latest = snapshot;
        queuePass();
    }

    @Override
    public void leadershipGained() {
        lastProposed.clear();
        proposed.clear();
        leadershipMoved = true;
        queuePass();
    }

    /** The group's config target moved: routes waiting for a profile may go now. */
    public void configTargetMoved(String group) {
        queuePass();
    }

    /** What the last proposal of the group's table came to (for the status view); null before the first. */
    public Proposal lastOutcome(String group) {
        return outcomes.get(group);
    }

    private void queuePass() {
        queuePass(0);
    }

    /** Queues a pass in {@code delayMillis}, unless one is queued to run sooner; a pass queued for later runs sooner instead. */
    private synchronized void queuePass(long delayMillis) {
        if (!mode.luaRouting()) {
            return;
        }
        long runsAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
        if (queued != null) {
            if (queuedRunsAt <= runsAt) {
                return;
            }
            queued.cancel(false);
        }
        try {
            queued = worker.schedule(this::pass, delayMillis, TimeUnit.MILLISECONDS);
            queuedRunsAt = runsAt;
        } catch (RejectedExecutionException stopped) {
            // stopping
        }
    }

    private void pass() {
        synchronized (this) {
            queued = null;
        }
        if (gathering()) {
            return;
        }
        if (proposeEveryGroup()) {
            queuePass(WAITING_PASS_MILLIS);
        }
    }

    /**
     * True while API calls are being answered, or the newest snapshot lacks a write one made, for at
     * most {@value #MAX_GATHER_MILLIS} ms: the pass then runs when they end ({@link CatalogWrites#whenIdle}),
     * when a snapshot shows their writes, or at that bound.
     */
    private boolean gathering() {
        CatalogSnapshot snapshot = latest;
        if (snapshot == null || writes.settledIn(snapshot.services()::get)) {
            gatheringSince = 0;
            return false;
        }
        long now = System.nanoTime();
        if (gatheringSince == 0) {
            gatheringSince = now;
        }
        long left = TimeUnit.NANOSECONDS.toMillis(gatheringSince - now) + MAX_GATHER_MILLIS;
        if (left <= 0) {
            gatheringSince = 0;
            return false;
        }
        queuePass(left);
        return true;
    }

    /** @return whether a route waits for its profile in some group's config */
    boolean proposeEveryGroup() {
        CatalogSnapshot snapshot = latest;
        if (snapshot == null || !isLeader.getAsBoolean()) {
            return false;
        }
        boolean waiting = false;
        if (leadershipMoved) {
            leadershipMoved = false;
            groups.clear();
            seeded.clear();
        }
        groups.keySet().retainAll(snapshot.groups());
        for (String group : snapshot.groups()) {
            try {
                seed(group);
                Set<String> profiles = configProfiles.of(group).orElse(Set.of());
                GroupRoutes.Built built = groups.computeIfAbsent(group, g -> new GroupRoutes(g, mode, proposed)).build(snapshot, profiles);
                waiting |= built.waiting();
                RoutingTable table = built.table();
                String sha = table.sha256();
                Proposal last = outcomes.get(group);
                if (sha.equals(lastProposed.get(group)) && (last instanceof Proposal.Started
                        || last instanceof Proposal.Unchanged)) {
                    continue;
                }
                Proposal outcome = rollout.propose(table, "catalog change, " + table.size() + " routed services");
                lastProposed.put(group, sha);
                outcomes.put(group, outcome);
                if (outcome instanceof Proposal.Started || outcome instanceof Proposal.Waiting || outcome instanceof Proposal.Unchanged) {
                    proposed.proposed(table, rollout.liveSha256(group).orElse(null));
                }
            } catch (Exception e) {
                LOG.warn("routes group={} cannot be proposed, agents keep their routes: {}", group, e.toString());
                lastProposed.remove(group);
            }
        }
        return waiting;
    }

    private void seed(String group) throws Exception {
        if (seeded.contains(group)) {
            return;
        }
        String liveSha256 = rollout.liveSha256(group).orElse(null);
        for (RoutingTable table : held.of(group)) {
            proposed.proposed(table, liveSha256);
        }
        seeded.add(group);
    }

    @Override
    public void start() {
    }

    @Override
    public void stop() {
        worker.shutdownNow();
        rollout.close();
    }
}
