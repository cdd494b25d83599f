package io.lbmanager.rollout;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.contract.AgentState;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.zk.Leadership;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * All or nothing per group: a new version is published as the target, every live agent applies
 * it, and it becomes live when all of them confirm; an agent's failure or the deadline sends the
 * whole group back to the previous live version. One rollout in flight per group: the newest
 * bundle proposed meanwhile waits, and goes out as soon as the rollout in flight is live (after a
 * revert it is dropped and the pipeline is asked to render again). Agents' reports and the rollout
 * node are watched, so a rollout is judged as soon as one changes, and once more at its deadline.
 * Only the leading manager drives it, and all of its rollout state is in ZooKeeper, so another
 * manager picks up a rollout where it was when it starts to lead.
 */
public final class RolloutCoordinator implements Managed, Leadership.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(RolloutCoordinator.class);

    /** What became of a bundle the pipeline proposed. */
    public sealed interface Proposal {
        record Started(RolloutRecord rollout) implements Proposal {
        }

        record Unchanged(PublishedVersion target) implements Proposal {
        }

        record Waiting(RolloutRecord inFlight) implements Proposal {
        }

        record Pinned(GroupPin pin) implements Proposal {
        }

        record PreviouslyReverted(RolloutRecord reverted) implements Proposal {
        }

        record TooLarge(int bytes) implements Proposal {
        }
    }

    private final RolloutStore store;
    private final VersionPublisher publisher;
    private final AgentDirectory agents;
    private final Duration timeout;
    private final BooleanSupplier isLeader;
    private final Supplier<Set<String>> groups;
    private final RenderRequests renders;
    private final RolloutMetrics metrics;
    private final Set<String> retried = ConcurrentHashMap.newKeySet();
    private final Map<String, WaitingBundle> waiting = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "rollout-coordinator");
        thread.setDaemon(true);
        return thread;
    });
    private final GroupWatches watches;
    /** Per group, when its next timed check is scheduled. */
    private final Map<String, Long> checkScheduled = new ConcurrentHashMap<>();
    private final List<Consumer<String>> targetListeners = new CopyOnWriteArrayList<>();

    public RolloutCoordinator(RolloutStore store, VersionPublisher publisher, AgentDirectory agents, Duration timeout,
                              BooleanSupplier isLeader, Supplier<Set<String>> groups, RenderRequests renders, RolloutMetrics metrics) {
        this.store = store;
        this.publisher = publisher;
        this.agents = agents;
        this.timeout = timeout;
        this.isLeader = isLeader;
        this.groups = groups;
        this.renders = renders;
        this.metrics = metrics;
        this.watches = new GroupWatches(agents, store, group -> evaluateSoon(group, 0));
    }

    @Override
    public void start() {
    }

    @Override
    public void stop() {
        ticker.shutdownNow();
        watches.close();
    }

    /** Picks up every group's rollout where the previous leader left it. */
    @Override
    public void leadershipGained() {
        try {
            ticker.execute(this::evaluateAll);
        } catch (RejectedExecutionException stopped) {
            // the coordinator stopped
        }
    }

    /** What waited here may be stale by the time this manager leads again: the next leader renders anew. */
    @Override
    public void leadershipLost() {
        waiting.clear();
    }

    /** A bundle proposed while a rollout was in flight: the next one to go out if that rollout succeeds. */
    private record WaitingBundle(ConfigBundle bundle, String cause) {
    }

    /**
     * Publishes the bundle and starts its rollout, unless the group is pinned or already there; while
     * another rollout is in flight, the bundle waits for it (replacing any bundle that waited before).
     */
    public synchronized Proposal propose(ConfigBundle bundle, String cause) throws Exception {
        String group = bundle.group();
        if (watches.watch(group)) {
            evaluateSoon(group, 0); // a group first seen here may have a rollout in flight that an earlier leader started
        }
        Optional<GroupPin> pin = store.pin(group);
        if (pin.isPresent()) {
            waiting.remove(group);
            return new Proposal.Pinned(pin.get());
        }
        RolloutStore.Versioned<RolloutRecord> rollout = store.rollout(group);
        Optional<PublishedVersion> target = store.target(group).value();
        if (target.isPresent() && target.get().sha256().equals(bundle.sha256())) {
            waiting.remove(group);
            return new Proposal.Unchanged(target.get());
        }
        if (rollout.value().filter(RolloutRecord::inProgress).isPresent()) {
            waiting.put(group, new WaitingBundle(bundle, cause));
            return new Proposal.Waiting(rollout.value().get());
        }
        Optional<RolloutRecord> reverted = rollout.value()
                .filter(r -> r.state() == RolloutRecord.State.REVERTED && r.sha256().equals(bundle.sha256()))
                .filter(r -> !retryDue(r, System.currentTimeMillis()));
        if (reverted.isPresent()) {
            return new Proposal.PreviouslyReverted(reverted.get());
        }
        VersionPublisher.PublishOutcome outcome = publisher.publishIfChanged(bundle, cause);
        if (outcome instanceof VersionPublisher.PublishOutcome.TooLarge tooLarge) {
            return new Proposal.TooLarge(tooLarge.bytes());
        }
        if (outcome instanceof VersionPublisher.PublishOutcome.Unchanged unchanged) {
            return new Proposal.Unchanged(unchanged.version());
        }
        PublishedVersion published = ((VersionPublisher.PublishOutcome.Published) outcome).version();
        long now = System.currentTimeMillis();
        long from = store.live(group).value().map(PublishedVersion::version).orElse(0L);
        RolloutRecord started = new RolloutRecord(group + "-" + published.version(), group, published.version(),
                published.sha256(), from, RolloutRecord.State.IN_PROGRESS, cause, "lb-manager", now, now + timeout.toMillis(), null,
                List.of(), false);
        if (!store.begin(started, rollout.nodeVersion())) {
            LOG.warn("rollout group={} version={} could not be recorded: the rollout node changed meanwhile", group, published.version());
        }
        LOG.info("rollout group={} version={} from={} state=started cause={}", group, published.version(), from, cause);
        targetMoved(group);
        evaluate(group);
        return new Proposal.Started(started);
    }

    /** True when the group's target is already this bundle (by sha256): it passed nginx -t when it was published. */
    public boolean isTarget(ConfigBundle bundle) throws Exception {
        return store.target(bundle.group()).value().filter(t -> t.sha256().equals(bundle.sha256())).isPresent();
    }

    /** The version the group's agents are told to run, 0 when none (or ZooKeeper does not answer). */
    public long targetVersion(String group) {
        try {
            return store.target(group).value().map(PublishedVersion::version).orElse(0L);
        } catch (Exception e) {
            return 0;
        }
    }

    /** An operator's rollback to an earlier published version; pins the group so no automatic rollout undoes it. */
    public synchronized RolloutRecord rollBack(String group, long version, String actor, String reason) throws Exception {
        PublishedVersion chosen = publisher.storedVersion(group, version);
        for (int attempt = 0; attempt < 5; attempt++) {
            RolloutStore.Versioned<PublishedVersion> target = store.target(group);
            RolloutStore.Versioned<RolloutRecord> rollout = store.rollout(group);
            long now = System.currentTimeMillis();
            String cause = "rollback to version " + version + " by " + actor + ": " + reason;
            long from = store.live(group).value().map(PublishedVersion::version).orElse(0L);
            RolloutRecord record = new RolloutRecord(group + "-rollback-" + version + "-" + now, group, version, chosen.sha256(),
                    from, RolloutRecord.State.IN_PROGRESS, cause, actor, now, now + timeout.toMillis(), null, List.of(), false);
            PublishedVersion newTarget = new PublishedVersion(group, version, chosen.sha256(), now, cause);
            if (store.rollBack(record, newTarget, new GroupPin(actor, cause, now), target.nodeVersion(), rollout.nodeVersion())) {
                LOG.info("rollout group={} version={} from={} state=started cause={}", group, version, from, cause);
                targetMoved(group);
                return record;
            }
        }
        throw new IllegalStateException("group " + group + " kept changing during the rollback; retry");
    }

    /** Tells {@code listener} the group each time this coordinator moves a group's target (a new version, a rollback, a revert). */
    public void onTargetMoved(Consumer<String> listener) {
        targetListeners.add(listener);
    }

    private void targetMoved(String group) {
        targetListeners.forEach(listener -> listener.accept(group));
    }

    private void evaluateAll() {
        for (String group : groups.get()) {
            evaluateNow(group);
        }
    }

    private void evaluateSoon(String group, long delayMillis) {
        try {
            ticker.schedule(() -> evaluateNow(group), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopped) {
            // the coordinator stopped
        }
    }

    /** Evaluates the group again at {@code atMillis} (a deadline), unless that is scheduled already. */
    private void checkAt(String group, long atMillis) {
        Long before = checkScheduled.put(group, atMillis);
        if (before == null || before != atMillis) {
            evaluateSoon(group, Math.max(0, atMillis - System.currentTimeMillis()) + 1);
        }
    }

    private void evaluateNow(String group) {
        if (!isLeader.getAsBoolean()) {
            return;
        }
        try {
            synchronized (this) {
                evaluate(group);
            }
        } catch (Exception e) {
            LOG.warn("rollout group={} cannot be evaluated: {}", group, e.toString());
        }
    }

    /** A rollout reverted for want of confirmations is tried again once as long again has passed. */
    private boolean retryDue(RolloutRecord reverted, long nowMillis) {
        return reverted.timedOut() && reverted.finishedAtMillis() != null && nowMillis - reverted.finishedAtMillis() > timeout.toMillis();
    }

    private void evaluate(String group) throws Exception {
        watches.watch(group);
        RolloutStore.Versioned<RolloutRecord> current = store.rollout(group);
        Optional<RolloutRecord> timedOut = current.value().filter(r -> r.state() == RolloutRecord.State.REVERTED && r.timedOut());
        if (timedOut.isPresent() && !retried.contains(timedOut.get().id())) {
            if (retryDue(timedOut.get(), System.currentTimeMillis())) {
                retried.add(timedOut.get().id());
                LOG.info("rollout group={} version={} retrying after its deadline passed", group, timedOut.get().version());
                renders.renderSoon("retry of timed-out rollout group=" + group + " version=" + timedOut.get().version());
            } else if (timedOut.get().finishedAtMillis() != null) {
                checkAt(group, timedOut.get().finishedAtMillis() + timeout.toMillis());
            }
        }
        if (current.value().filter(RolloutRecord::inProgress).isEmpty()) {
            return;
        }
        RolloutRecord rollout = current.value().get();
        List<AgentStatus> live = agents.agents(group);
        List<RolloutRecord.AgentFailure> failed = live.stream()
                .filter(a -> a.state() == AgentState.FAILED && a.failedVersion() == rollout.version())
                .map(a -> new RolloutRecord.AgentFailure(a.agentId(), a.error()))
                .toList();
        if (!failed.isEmpty()) {
            revert(rollout, current.nodeVersion(), failed, false);
            return;
        }
        boolean allConfirmed = live.stream().allMatch(a -> a.state() == AgentState.READY && a.runningVersion() == rollout.version());
        if (allConfirmed) {
            succeed(rollout, current.nodeVersion(), live.size());
        } else if (System.currentTimeMillis() <= rollout.deadlineMillis()) {
            checkAt(rollout.group(), rollout.deadlineMillis());
        } else {
            revert(rollout, current.nodeVersion(), live.stream()
                    .filter(a -> a.state() != AgentState.READY || a.runningVersion() != rollout.version())
                    .map(a -> new RolloutRecord.AgentFailure(a.agentId(), "did not confirm version " + rollout.version() + " within "
                            + timeout.toSeconds() + " s (serves version " + a.runningVersion() + ", state " + a.state() + ")"))
                    .toList(), true);
        }
    }

    private void succeed(RolloutRecord rollout, int rolloutNodeVersion, int agentCount) throws Exception {
        long now = System.currentTimeMillis();
        PublishedVersion nowLive = store.target(rollout.group()).value()
                .filter(t -> t.version() == rollout.version())
                .orElse(new PublishedVersion(rollout.group(), rollout.version(), rollout.sha256(), now, rollout.cause()));
        if (store.succeed(rollout.finished(RolloutRecord.State.SUCCEEDED, List.of(), false, now), nowLive, rolloutNodeVersion,
                store.live(rollout.group()).nodeVersion())) {
            LOG.info("rollout group={} version={} state=succeeded agents={} millis={}", rollout.group(), rollout.version(), agentCount,
                    now - rollout.startedAtMillis());
            store.pruneHistory(rollout.group());
            metrics.rolloutFinished(RolloutRecord.State.SUCCEEDED, now - rollout.startedAtMillis());
            startWaitingBundle(rollout.group());
        }
    }

    /** Nothing proposed meanwhile means nothing changed: no render needed. Else it goes out now, and the pipeline renders again. */
    private void startWaitingBundle(String group) throws Exception {
        WaitingBundle next = waiting.remove(group);
        if (next == null) {
            return;
        }
        try {
            propose(next.bundle(), next.cause());
        } finally {
            renders.renderSoon("rollout group=" + group + " succeeded and the bundle that waited went out");
        }
    }

    private void revert(RolloutRecord rollout, int rolloutNodeVersion, List<RolloutRecord.AgentFailure> failures, boolean deadlinePassed)
            throws Exception {
        long now = System.currentTimeMillis();
        RolloutStore.Versioned<PublishedVersion> live = store.live(rollout.group());
        RolloutStore.Versioned<PublishedVersion> target = store.target(rollout.group());
        if (store.revert(rollout.finished(RolloutRecord.State.REVERTED, failures, deadlinePassed, now), live.value(), rolloutNodeVersion,
                target.nodeVersion())) {
            waiting.remove(rollout.group());
            failures.forEach(f -> LOG.warn("rollout group={} version={} state=reverted to={} agent={} reason={}", rollout.group(),
                    rollout.version(), live.value().map(PublishedVersion::version).orElse(0L), f.agentId(), f.reason()));
            store.pruneHistory(rollout.group());
            metrics.rolloutFinished(RolloutRecord.State.REVERTED, now - rollout.startedAtMillis());
            targetMoved(rollout.group());
            renders.renderSoon("rollout group=" + rollout.group() + " version=" + rollout.version() + " reverted");
        }
    }
}
