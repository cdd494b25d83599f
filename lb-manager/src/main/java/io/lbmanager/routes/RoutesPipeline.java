package io.lbmanager.routes;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.render.RoutedServices;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.rollout.RolloutCoordinator.Proposal;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.SnapshotChange;
import io.lbmanager.snapshot.SnapshotListener;
import io.lbmanager.zk.Leadership;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Snapshot -> each group's routing table ({@link RoutedServices}) -> {@link RoutesRollout}, on the
 * leading manager, for groups whose services Lua routes. No render, no {@code nginx -t}, no reload:
 * a route line is checked by {@code RouteLine} and again by the agent and Nginx. Snapshots that
 * arrive while a pass runs are coalesced into one next pass over the newest.
 */
public final class RoutesPipeline implements Managed, SnapshotListener, Leadership.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(RoutesPipeline.class);

    private final RoutesRollout rollout;
    private final UpstreamMode mode;
    private final BooleanSupplier isLeader;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "routes-pipeline");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean passQueued = new AtomicBoolean();
    /** Per group, the sha256 of the table proposed last and what came of it. */
    private final Map<String, String> lastProposed = new ConcurrentHashMap<>();
    private final Map<String, Proposal> outcomes = new ConcurrentHashMap<>();
    private volatile CatalogSnapshot latest;

    public RoutesPipeline(RoutesRollout rollout, UpstreamMode mode, BooleanSupplier isLeader) {
        this.rollout = rollout;
        this.mode = mode;
        this.isLeader = isLeader;
    }

    @Override
    public void snapshotChanged(CatalogSnapshot snapshot, SnapshotChange change) {
        latest = snapshot;
        queuePass();
    }

    @Override
    public void leadershipGained() {
        lastProposed.clear();
        queuePass();
    }

    /** What the last proposal of the group's table came to (for the status view); null before the first. */
    public Proposal lastOutcome(String group) {
        return outcomes.get(group);
    }

    private void queuePass() {
        if (mode.luaRouting() && passQueued.compareAndSet(false, true)) {
            try {
                worker.execute(() -> {
                    passQueued.set(false);
                    proposeEveryGroup();
                });
            } catch (RejectedExecutionException stopped) {
                // stopping
            }
        }
    }

    void proposeEveryGroup() {
        CatalogSnapshot snapshot = latest;
        if (snapshot == null || !isLeader.getAsBoolean()) {
            return;
        }
        for (String group : snapshot.groups()) {
            try {
                RoutingTable table = RoutingTable.of(group, RoutedServices.of(snapshot, group, mode).routes());
                String sha = table.sha256();
                Proposal last = outcomes.get(group);
                if (sha.equals(lastProposed.get(group)) && (last instanceof Proposal.Started
                        || last instanceof Proposal.Unchanged)) {
                    continue;
                }
                Proposal outcome = rollout.propose(table, "catalog change, " + table.size() + " routed services");
                lastProposed.put(group, sha);
                outcomes.put(group, outcome);
            } catch (Exception e) {
                LOG.warn("routes group={} cannot be proposed, agents keep their routes: {}", group, e.toString());
                lastProposed.remove(group);
            }
        }
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
