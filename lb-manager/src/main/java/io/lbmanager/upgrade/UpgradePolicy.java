package io.lbmanager.upgrade;

import io.lbmanager.errors.ConflictException;
import io.lbmanager.fleet.FleetBackend;
import io.lbmanager.fleet.GenerationProgress;
import io.lbmanager.fleet.GenerationSpec;
import io.lbmanager.fleet.GroupDeployment;
import io.lbmanager.fleet.NginxTask;
import io.lbmanager.fleet.TaskFailure;
import io.lbmanager.fleet.TaskHealth;
import io.lbmanager.fleet.TaskProbes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The rolling-upgrade policy, once for every backend: steps of K instances, each gated on its new
 * tasks being ready (the agent's {@code /ready}: Nginx serves the current config version) and on
 * the error rate of probe requests through their traffic ports during the bake time; a failed gate
 * reverts to the previous generation. {@link #tick} advances one upgrade by at most one decision
 * and returns the new record; the caller stores it, so a restarted manager carries on.
 */
public final class UpgradePolicy {

    private static final Logger LOG = LoggerFactory.getLogger(UpgradePolicy.class);

    /**
     * @param stepTimeout how long a step's new tasks may take to become ready (and a revert to finish)
     * @param holdMargin  added to the bake time to give backends that advance by themselves (Singularity's
     *                    TIMED acceptance) their hold: the policy always decides first
     * @param holdEvery   while paused, how often the step's hold is renewed
     */
    public record Timing(Duration stepTimeout, Duration holdMargin, Duration holdEvery) {
        public static final Timing DEFAULTS = new Timing(Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(5));
    }

    private final FleetBackend backend;
    private final TaskHealth health;
    private final Timing timing;
    private final LongSupplier clock;

    public UpgradePolicy(FleetBackend backend, TaskHealth health, Timing timing, LongSupplier clock) {
        this.backend = backend;
        this.health = health;
        this.timing = timing;
        this.clock = clock;
    }

    public FleetBackend backend() {
        return backend;
    }

    /** Starts the first step of an upgrade of the group to {@code toImage}. */
    public UpgradeRecord begin(String id, String group, String toImage, UpgradeSettings settings, String by, boolean rollback) {
        GroupDeployment deployment = backend.deployment(group);
        int instances = deployment.instances();
        if (instances < 1) {
            throw new IllegalStateException("group " + group + " runs no instances; scale it up first");
        }
        int stepSize = Math.min(settings.stepSize(), instances);
        int totalSteps = (instances + stepSize - 1) / stepSize;
        long now = clock.getAsLong();
        String message = "step 1/" + totalSteps + ": launching " + stepSize + " new task(s)";
        backend.startGeneration(group, new GenerationSpec(id, toImage, stepSize, stepSize, holdMillis(settings.bakeSeconds()),
                (rollback ? "rollback" : "upgrade") + " to " + toImage + " by " + by, settings.crashBudget()));
        LOG.info("upgrade group={} id={} state=RUNNING from={} to={} steps={} by={}", group, id, deployment.image(), toImage,
                totalSteps, by);
        return new UpgradeRecord(id, group, UpgradeState.RUNNING, Phase.LAUNCHING, deployment.image(), toImage, instances,
                stepSize, settings.bakeSeconds(), settings.maxErrorRate(), 1, totalSteps, stepSize, message, by, rollback,
                null, now, now, now, now, 0, 0, settings.crashBudget());
    }

    /** One decision for an upgrade in progress; a finished one comes back unchanged. */
    public UpgradeRecord tick(UpgradeRecord upgrade) {
        long now = clock.getAsLong();
        if (!upgrade.state().inProgress()) {
            return upgrade;
        }
        UpgradeRecord ended = endedByBackend(upgrade, now);
        if (ended != upgrade) {
            return ended;
        }
        if (upgrade.state() == UpgradeState.PAUSED) {
            return holdWhilePaused(upgrade, now);
        }
        return switch (upgrade.phase()) {
            case LAUNCHING -> launching(upgrade, now);
            case BAKING -> baking(upgrade, now);
            case FINISHING -> finishing(upgrade, now);
            case REVERTING -> reverting(upgrade, now);
            case DONE -> upgrade;
        };
    }

    public UpgradeRecord pause(UpgradeRecord upgrade, String by) {
        requireState(upgrade, UpgradeState.RUNNING, "pause");
        if (upgrade.phase() == Phase.REVERTING) {
            throw new IllegalStateException("upgrade " + upgrade.id() + " is rolling back; it cannot be paused");
        }
        LOG.info("upgrade group={} id={} state=PAUSED by={}", upgrade.group(), upgrade.id(), by);
        return upgrade.with(UpgradeState.PAUSED, upgrade.phase(), "paused by " + by + " at step " + upgrade.step() + "/"
                + upgrade.totalSteps(), clock.getAsLong());
    }

    /** Resumes the step where it was; its bake starts over. */
    public UpgradeRecord resume(UpgradeRecord upgrade, String by) {
        requireState(upgrade, UpgradeState.PAUSED, "resume");
        long now = clock.getAsLong();
        LOG.info("upgrade group={} id={} state=RUNNING resumedBy={}", upgrade.group(), upgrade.id(), by);
        Phase phase = upgrade.phase() == Phase.BAKING ? Phase.LAUNCHING : upgrade.phase();
        return upgrade.restartedIn(UpgradeState.RUNNING, phase, "resumed by " + by + " at step " + upgrade.step() + "/"
                + upgrade.totalSteps(), now);
    }

    /** Abandons the new generation; the previous one keeps serving (the backend refills it). */
    public UpgradeRecord cancel(UpgradeRecord upgrade, String by) {
        if (!upgrade.state().inProgress()) {
            throw new IllegalStateException("upgrade " + upgrade.id() + " is " + upgrade.state() + ", not in progress");
        }
        if (upgrade.phase() != Phase.REVERTING
                && backend.progress(upgrade.group(), upgrade.id()) instanceof GenerationProgress.Succeeded) {
            throw new ConflictException(null, "upgrade " + upgrade.id() + " cannot be cancelled: the " + backend.kind()
                    + " backend already made " + upgrade.toImage() + " the active image; roll back instead");
        }
        backend.cancelGeneration(upgrade.group(), upgrade.id());
        LOG.info("upgrade group={} id={} state=CANCELLED by={}", upgrade.group(), upgrade.id(), by);
        return upgrade.with(UpgradeState.CANCELLED, Phase.DONE, "cancelled by " + by + " at step " + upgrade.step() + "/"
                + upgrade.totalSteps() + "; " + upgrade.fromImage() + " keeps serving", clock.getAsLong());
    }

    /** Operator's rollback of an upgrade in progress: back to the previous generation. */
    public UpgradeRecord rollBack(UpgradeRecord upgrade, String by) {
        if (!upgrade.state().inProgress()) {
            throw new IllegalStateException("upgrade " + upgrade.id() + " is " + upgrade.state() + ", not in progress");
        }
        if (upgrade.phase() == Phase.REVERTING) {
            return upgrade;
        }
        return startRevert(upgrade.with(UpgradeState.RUNNING, upgrade.phase(), upgrade.message(), clock.getAsLong()),
                "rollback requested by " + by, clock.getAsLong());
    }

    /**
     * An upgrade the backend ended by itself while the policy was not driving it (a manager restart,
     * a step the backend advanced on its own timer, an operator acting on the scheduler directly):
     * the record follows the backend. The policy's own last step (target = all instances) and a
     * rollback in progress are left to their phases, which gate and finish them.
     */
    private UpgradeRecord endedByBackend(UpgradeRecord upgrade, long now) {
        if (upgrade.phase() == Phase.REVERTING || upgrade.phase() == Phase.FINISHING
                || (upgrade.state() == UpgradeState.RUNNING && upgrade.target() >= upgrade.instances())) {
            return upgrade;
        }
        GenerationProgress progress = backend.progress(upgrade.group(), upgrade.id());
        if (progress instanceof GenerationProgress.Succeeded) {
            String message = "the " + backend.kind() + " backend made " + upgrade.toImage() + " active at step "
                    + upgrade.step() + "/" + upgrade.totalSteps() + " while the policy did not drive it; the later steps"
                    + " were not gated";
            LOG.warn("upgrade group={} id={} state=SUCCEEDED image={} reason={}", upgrade.group(), upgrade.id(),
                    upgrade.toImage(), message);
            return upgrade.with(UpgradeState.SUCCEEDED, Phase.DONE, "all " + upgrade.instances() + " task(s) run "
                    + upgrade.toImage() + "; " + message, now);
        }
        if (progress.finished()) {
            return rolledBack(upgrade, "the backend gave up on the new generation: " + reasonOf(progress), now);
        }
        return upgrade;
    }

    private UpgradeRecord launching(UpgradeRecord upgrade, long now) {
        GenerationProgress progress = backend.progress(upgrade.group(), upgrade.id());
        if (progress instanceof GenerationProgress.Failed || progress instanceof GenerationProgress.Cancelled) {
            return rolledBack(upgrade, "the backend gave up on the new generation: " + reasonOf(progress), now);
        }
        String stepText = "step " + upgrade.step() + "/" + upgrade.totalSteps();
        Optional<String> crashed = crashBudgetUsedUp(upgrade);
        if (crashed.isPresent()) {
            return startRevert(upgrade, stepText + ": " + crashed.get(), now);
        }
        List<NginxTask> fresh = newTasks(upgrade);
        long ready = fresh.stream().filter(health::ready).count();
        if (ready >= upgrade.target()) {
            return upgrade.with(UpgradeState.RUNNING, Phase.BAKING, stepText + ": " + ready + " new task(s) ready, baking "
                    + upgrade.bakeSeconds() + " s", now);
        }
        if (now - upgrade.phaseSinceMillis() > timing.stepTimeout().toMillis()) {
            return startRevert(upgrade, stepText + ": only " + ready + " of " + upgrade.target() + " new task(s) ready after "
                    + timing.stepTimeout().toSeconds() + " s" + whyNotReady(upgrade, fresh), now);
        }
        String message = stepText + ": " + ready + " of " + upgrade.target() + " new task(s) ready";
        return message.equals(upgrade.message()) ? upgrade : upgrade.with(UpgradeState.RUNNING, Phase.LAUNCHING, message, now);
    }

    private UpgradeRecord baking(UpgradeRecord upgrade, long now) {
        GenerationProgress progress = backend.progress(upgrade.group(), upgrade.id());
        if (progress instanceof GenerationProgress.Failed || progress instanceof GenerationProgress.Cancelled) {
            return rolledBack(upgrade, "the backend gave up on the new generation: " + reasonOf(progress), now);
        }
        Optional<String> crashed = crashBudgetUsedUp(upgrade);
        if (crashed.isPresent()) {
            return startRevert(upgrade, "step " + upgrade.step() + "/" + upgrade.totalSteps() + ": " + crashed.get(), now);
        }
        List<NginxTask> fresh = newTasks(upgrade);
        int probes = Math.max(fresh.size(), upgrade.target());
        int errors = probes - fresh.size();
        for (NginxTask task : fresh) {
            if (health.throughTraffic(task, TaskProbes.VERSION_PATH) != 200) {
                errors++;
            }
        }
        int totalProbes = upgrade.probes() + probes;
        int totalErrors = upgrade.probeErrors() + errors;
        String stepText = "step " + upgrade.step() + "/" + upgrade.totalSteps();
        double rate = totalProbes == 0 ? 0 : (double) totalErrors / totalProbes;
        if (rate > upgrade.maxErrorRate()) {
            return startRevert(upgrade, String.format("%s: error rate %.1f%% (%d of %d probes) above %.1f%%", stepText,
                    rate * 100, totalErrors, totalProbes, upgrade.maxErrorRate() * 100), now);
        }
        long bakedMillis = now - upgrade.phaseSinceMillis();
        if (bakedMillis < upgrade.bakeSeconds() * 1000L) {
            return upgrade.withProbes(probes, errors, String.format("%s: baking %d s of %d s, %d error(s) in %d probes",
                    stepText, bakedMillis / 1000, upgrade.bakeSeconds(), totalErrors, totalProbes), now);
        }
        if (upgrade.target() >= upgrade.instances()) {
            return upgrade.with(UpgradeState.RUNNING, Phase.FINISHING, stepText + ": all " + upgrade.instances()
                    + " new task(s) passed; waiting for the backend to make them active", now);
        }
        if (progress instanceof GenerationProgress.InProgress step
                && (!step.launchComplete() || step.targetActive() < upgrade.target())) {
            // the backend's own health check has not passed the step yet (Singularity counts the step's
            // tasks as active only then, and advancing before that leaves its old tasks unretired)
            return upgrade.withProbes(probes, errors, String.format("%s: baked, %d error(s) in %d probes; waiting for the"
                    + " %s backend to pass the step's health check", stepText, totalErrors, totalProbes, backend.kind()), now);
        }
        int nextTarget = Math.min(upgrade.target() + upgrade.stepSize(), upgrade.instances());
        backend.setGenerationTarget(upgrade.group(), upgrade.id(), nextTarget);
        LOG.info("upgrade group={} id={} step={}/{} state=STEP_PASSED probes={} errors={} nextTarget={}", upgrade.group(),
                upgrade.id(), upgrade.step(), upgrade.totalSteps(), totalProbes, totalErrors, nextTarget);
        return upgrade.withStep(upgrade.step() + 1, nextTarget, "step " + (upgrade.step() + 1) + "/" + upgrade.totalSteps()
                + ": launching " + (nextTarget - upgrade.target()) + " new task(s)", now);
    }

    private UpgradeRecord finishing(UpgradeRecord upgrade, long now) {
        GenerationProgress progress = backend.progress(upgrade.group(), upgrade.id());
        if (progress instanceof GenerationProgress.Succeeded) {
            LOG.info("upgrade group={} id={} state=SUCCEEDED image={}", upgrade.group(), upgrade.id(), upgrade.toImage());
            return upgrade.with(UpgradeState.SUCCEEDED, Phase.DONE, "all " + upgrade.instances() + " task(s) run "
                    + upgrade.toImage(), now);
        }
        if (progress.finished()) {
            return rolledBack(upgrade, "the backend gave up on the new generation: " + reasonOf(progress), now);
        }
        if (now - upgrade.phaseSinceMillis() > holdMillis(upgrade.bakeSeconds()) + timing.stepTimeout().toMillis()) {
            return startRevert(upgrade, "the backend did not make the new generation active in time", now);
        }
        backend.retireBeforeActivation(upgrade.group(), upgrade.id());
        return upgrade;
    }

    private UpgradeRecord startRevert(UpgradeRecord upgrade, String reason, long now) {
        LOG.warn("upgrade group={} id={} state=REVERTING reason={}", upgrade.group(), upgrade.id(), reason);
        GenerationProgress progress = backend.progress(upgrade.group(), upgrade.id());
        UpgradeRecord reverting = upgrade.with(UpgradeState.RUNNING, Phase.REVERTING, "rolling back: " + reason, now);
        if (progress instanceof GenerationProgress.Succeeded) {
            return startRevertGeneration(reverting, now);
        }
        backend.cancelGeneration(upgrade.group(), upgrade.id());
        return reverting;
    }

    private UpgradeRecord reverting(UpgradeRecord upgrade, long now) {
        String reason = upgrade.message().replaceFirst("^rolling back: ", "");
        if (upgrade.revertGeneration() != null) {
            GenerationProgress progress = backend.progress(upgrade.group(), upgrade.revertGeneration());
            if (progress instanceof GenerationProgress.Succeeded) {
                return rolledBack(upgrade, reason, now);
            }
            if (progress.finished()) {
                return failed(upgrade, "rollback to " + upgrade.fromImage() + " failed: " + reasonOf(progress), now);
            }
        } else {
            GenerationProgress progress = backend.progress(upgrade.group(), upgrade.id());
            if (progress instanceof GenerationProgress.Succeeded) {
                return startRevertGeneration(upgrade, now);
            }
            if (progress.finished() || progress instanceof GenerationProgress.Unknown) {
                return rolledBack(upgrade, reason, now);
            }
            if (now - upgrade.lastHoldMillis() > timing.holdEvery().toMillis()) {
                backend.cancelGeneration(upgrade.group(), upgrade.id());
                upgrade = upgrade.heldAt(now);
            }
        }
        if (now - upgrade.phaseSinceMillis() > timing.stepTimeout().toMillis()) {
            return failed(upgrade, "rollback did not finish within " + timing.stepTimeout().toSeconds() + " s (" + reason + ")", now);
        }
        return upgrade;
    }

    /** The new generation is already active: roll the previous image out again, all at once, under a new id. */
    private UpgradeRecord startRevertGeneration(UpgradeRecord upgrade, long now) {
        String revertId = upgrade.id() + "_r";
        backend.startGeneration(upgrade.group(), new GenerationSpec(revertId, upgrade.fromImage(), upgrade.instances(),
                upgrade.instances(), 0, "rollback of " + upgrade.id()));
        return upgrade.withRevertGeneration(revertId, now);
    }

    private UpgradeRecord holdWhilePaused(UpgradeRecord upgrade, long now) {
        if (upgrade.phase() == Phase.REVERTING || now - upgrade.lastHoldMillis() < timing.holdEvery().toMillis()) {
            return upgrade;
        }
        try {
            backend.setGenerationTarget(upgrade.group(), upgrade.id(), upgrade.target());
        } catch (RuntimeException e) {
            LOG.warn("upgrade group={} id={} hold while paused failed: {}", upgrade.group(), upgrade.id(), e.toString());
        }
        return upgrade.heldAt(now);
    }

    private UpgradeRecord rolledBack(UpgradeRecord upgrade, String reason, long now) {
        LOG.warn("upgrade group={} id={} state=ROLLED_BACK image={} reason={}", upgrade.group(), upgrade.id(),
                upgrade.fromImage(), reason);
        return upgrade.with(UpgradeState.ROLLED_BACK, Phase.DONE, "rolled back to " + upgrade.fromImage() + ": " + reason, now);
    }

    private UpgradeRecord failed(UpgradeRecord upgrade, String reason, long now) {
        LOG.error("upgrade group={} id={} state=FAILED reason={}", upgrade.group(), upgrade.id(), reason);
        return upgrade.with(UpgradeState.FAILED, Phase.DONE, reason, now);
    }

    /** The last failure, when the new generation's tasks failed more often than the upgrade's crash budget allows. */
    private Optional<String> crashBudgetUsedUp(UpgradeRecord upgrade) {
        List<TaskFailure> failures = backend.failures(upgrade.group(), upgrade.id());
        if (failures.size() <= upgrade.allowedFailures()) {
            return Optional.empty();
        }
        return Optional.of(failures.size() + " failure(s) of new tasks, crash budget " + upgrade.allowedFailures() + ": "
                + failures.get(failures.size() - 1).describe());
    }

    /** For a step that timed out: the last task failure, or what a new task's {@code /ready} said and what it printed last. */
    private String whyNotReady(UpgradeRecord upgrade, List<NginxTask> fresh) {
        List<TaskFailure> failures = backend.failures(upgrade.group(), upgrade.id());
        if (!failures.isEmpty()) {
            return "; " + failures.get(failures.size() - 1).describe();
        }
        return fresh.stream().filter(task -> !health.ready(task)).findFirst()
                .map(task -> {
                    List<String> output = backend.recentOutput(task);
                    return "; task " + task.taskId() + " not ready: " + health.notReadyReason(task)
                            + (output.isEmpty() ? "" : "; last output: " + String.join(" | ", output));
                }).orElse("");
    }

    private List<NginxTask> newTasks(UpgradeRecord upgrade) {
        return backend.tasks(upgrade.group()).stream().filter(task -> task.generation().equals(upgrade.id())).toList();
    }

    private long holdMillis(int bakeSeconds) {
        return bakeSeconds * 1000L + timing.holdMargin().toMillis();
    }

    private static String reasonOf(GenerationProgress progress) {
        if (progress instanceof GenerationProgress.Failed failed) {
            return failed.reason();
        }
        if (progress instanceof GenerationProgress.Cancelled cancelled) {
            return cancelled.reason();
        }
        if (progress instanceof GenerationProgress.Unknown unknown) {
            return unknown.reason();
        }
        return progress.toString();
    }

    private static void requireState(UpgradeRecord upgrade, UpgradeState expected, String action) {
        if (upgrade.state() != expected) {
            throw new IllegalStateException("cannot " + action + " upgrade " + upgrade.id() + ": it is " + upgrade.state());
        }
    }
}
