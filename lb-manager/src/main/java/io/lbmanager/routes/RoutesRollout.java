package io.lbmanager.routes;

import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.rollout.AgentDirectory;
import io.lbmanager.rollout.GroupPin;
import io.lbmanager.rollout.RolloutCoordinator.Proposal;
import io.lbmanager.rollout.RolloutRecord;
import io.lbmanager.rollout.RolloutStore;
import io.lbmanager.zk.TreeWatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * All or nothing per group, for routing tables: a changed table is published as the routes
 * target, every live agent pushes it into its Nginx and confirms it ({@code routesVersion}); when
 * all have, it becomes routes live. An agent's refusal ({@code routesFailedVersion}) or the
 * deadline sends the group's routes target back to routes live. One routes rollout in flight per
 * group; the newest table proposed meanwhile waits and goes out when it is live. A pinned group
 * gets no new tables. Only the leading manager proposes and judges; the state is in ZooKeeper.
 */
public final class RoutesRollout implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RoutesRollout.class);

    private final RoutesRolloutStore store;
    private final RoutesPublisher publisher;
    private final RolloutStore pins;
    private final AgentDirectory agents;
    private final Duration timeout;
    private final BooleanSupplier isLeader;
    private final Map<String, RoutingTable> waiting = new ConcurrentHashMap<>();
    private final Map<String, String> waitingCause = new ConcurrentHashMap<>();
    private final Map<String, AutoCloseable> watches = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "routes-rollout");
        thread.setDaemon(true);
        return thread;
    });

    public RoutesRollout(RoutesRolloutStore store, RoutesPublisher publisher, RolloutStore pins, AgentDirectory agents, Duration timeout,
                         BooleanSupplier isLeader) {
        this.store = store;
        this.publisher = publisher;
        this.pins = pins;
        this.agents = agents;
        this.timeout = timeout;
        this.isLeader = isLeader;
    }

    /**
     * Publishes the table and starts its rollout, unless the group is pinned, already there, or busy with another
     * (the outcomes of a config proposal, {@link Proposal}).
     */
    public synchronized Proposal propose(RoutingTable table, String cause) throws Exception {
        String group = table.group();
        watch(group);
        Optional<GroupPin> pin = pins.pin(group);
        if (pin.isPresent()) {
            waiting.remove(group);
            return new Proposal.Pinned(pin.get());
        }
        RolloutStore.Versioned<RolloutRecord> rollout = store.rollout(group);
        Optional<PublishedVersion> target = store.target(group).value();
        if (target.isPresent() && target.get().sha256().equals(table.sha256())) {
            waiting.remove(group);
            return new Proposal.Unchanged(target.get());
        }
        if (rollout.value().filter(RolloutRecord::inProgress).isPresent()) {
            waiting.put(group, table);
            waitingCause.put(group, cause);
            return new Proposal.Waiting(rollout.value().get());
        }
        Optional<RolloutRecord> refused = rollout.value()
                .filter(r -> r.state() == RolloutRecord.State.REVERTED && r.sha256().equals(table.sha256()))
                .filter(r -> !r.timedOut() || System.currentTimeMillis() - r.finishedAtMillis() < timeout.toMillis());
        if (refused.isPresent()) {
            return new Proposal.PreviouslyReverted(refused.get());
        }
        RoutesPublisher.PublishOutcome outcome = publisher.publishIfChanged(table, cause);
        if (outcome instanceof RoutesPublisher.PublishOutcome.TooLarge tooLarge) {
            LOG.warn("routes group={} shard={} is {} bytes, over the ZooKeeper node budget; agents keep their routes", group,
                    tooLarge.shard(), tooLarge.bytes());
            return new Proposal.TooLarge(tooLarge.bytes());
        }
        if (outcome instanceof RoutesPublisher.PublishOutcome.Unchanged unchanged) {
            return new Proposal.Unchanged(unchanged.version());
        }
        PublishedVersion published = ((RoutesPublisher.PublishOutcome.Published) outcome).version();
        long now = System.currentTimeMillis();
        long from = store.live(group).value().map(PublishedVersion::version).orElse(0L);
        RolloutRecord started = new RolloutRecord(group + "-routes-" + published.version(), group, published.version(), published.sha256(),
                from, RolloutRecord.State.IN_PROGRESS, cause, "lb-manager", now, now + timeout.toMillis(), null, List.of(), false,
                RolloutRecord.Kind.ROUTES);
        if (!store.begin(started, rollout.nodeVersion())) {
            LOG.warn("routes rollout group={} version={} could not be recorded: the rollout node changed meanwhile", group,
                    published.version());
        }
        LOG.info("routes rollout group={} version={} from={} services={} state=started cause={}", group, published.version(), from,
                table.size(), cause);
        evaluate(group);
        scheduleEvaluation(group, timeout.toMillis() + 1);
        return new Proposal.Started(started);
    }

    /** The sha256 of the table every agent of the group confirmed last, if any. */
    public Optional<String> liveSha256(String group) throws Exception {
        return store.live(group).value().map(PublishedVersion::sha256);
    }

    /** Judges the group's routes rollout in flight now: succeeded, reverted, or still waiting for agents. */
    public synchronized void evaluate(String group) throws Exception {
        RolloutStore.Versioned<RolloutRecord> current = store.rollout(group);
        if (current.value().filter(RolloutRecord::inProgress).isEmpty()) {
            return;
        }
        RolloutRecord rollout = current.value().get();
        List<AgentStatus> live = agents.agents(group);
        List<RolloutRecord.AgentFailure> refused = live.stream()
                .filter(a -> a.routesFailedVersion() == rollout.version())
                .map(a -> new RolloutRecord.AgentFailure(a.agentId(), a.routesError()))
                .toList();
        long now = System.currentTimeMillis();
        if (!refused.isEmpty()) {
            revert(rollout, current.nodeVersion(), refused, false, now);
        } else if (live.stream().allMatch(a -> a.routesVersion() == rollout.version())) {
            succeed(rollout, current.nodeVersion(), live.size(), now);
        } else if (now > rollout.deadlineMillis()) {
            revert(rollout, current.nodeVersion(), live.stream()
                    .filter(a -> a.routesVersion() != rollout.version())
                    .map(a -> new RolloutRecord.AgentFailure(a.agentId(), "did not confirm routes version " + rollout.version() + " within "
                            + timeout.toSeconds() + " s (holds routes version " + a.routesVersion()
                            + (a.routesError() == null ? "" : ": " + a.routesError()) + ")"))
                    .toList(), true, now);
        }
    }

    private void succeed(RolloutRecord rollout, int rolloutNodeVersion, int agentCount, long now) throws Exception {
        PublishedVersion nowLive = store.target(rollout.group()).value().filter(t -> t.version() == rollout.version())
                .orElse(new PublishedVersion(rollout.group(), rollout.version(), rollout.sha256(), now, rollout.cause()));
        if (store.succeed(rollout.finished(RolloutRecord.State.SUCCEEDED, List.of(), false, now), nowLive, rolloutNodeVersion,
                store.live(rollout.group()).nodeVersion())) {
            LOG.info("routes rollout group={} version={} state=succeeded agents={} millis={} reloads=0", rollout.group(), rollout.version(),
                    agentCount, now - rollout.startedAtMillis());
            pins.pruneHistory(rollout.group());
            RoutingTable next = waiting.remove(rollout.group());
            if (next != null) {
                propose(next, waitingCause.remove(rollout.group()));
            }
        }
    }

    private void revert(RolloutRecord rollout, int rolloutNodeVersion, List<RolloutRecord.AgentFailure> failures, boolean deadlinePassed,
                        long now) throws Exception {
        RolloutStore.Versioned<PublishedVersion> live = store.live(rollout.group());
        if (store.revert(rollout.finished(RolloutRecord.State.REVERTED, failures, deadlinePassed, now), live.value(), rolloutNodeVersion,
                store.target(rollout.group()).nodeVersion())) {
            waiting.remove(rollout.group());
            failures.forEach(f -> LOG.warn("routes rollout group={} version={} state=reverted to={} agent={} reason={}", rollout.group(),
                    rollout.version(), live.value().map(PublishedVersion::version).orElse(0L), f.agentId(), f.reason()));
            pins.pruneHistory(rollout.group());
        }
    }

    /** Agents' reports are watched, so a rollout is judged as soon as one of them confirms or refuses. */
    private void watch(String group) {
        watches.computeIfAbsent(group, g -> agents.watch(g, TreeWatch.Events.onAnyChange(() -> scheduleEvaluation(g, 0))));
    }

    private void scheduleEvaluation(String group, long delayMillis) {
        try {
            ticker.schedule(() -> {
                if (!isLeader.getAsBoolean()) {
                    return;
                }
                try {
                    evaluate(group);
                } catch (Exception e) {
                    LOG.warn("routes rollout group={} cannot be evaluated: {}", group, e.toString());
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopped) {
            // closed
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        watches.values().forEach(watch -> {
            try {
                watch.close();
            } catch (Exception e) {
                LOG.debug("closing a routes watch failed: {}", e.toString());
            }
        });
        watches.clear();
    }
}
