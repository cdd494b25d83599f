package io.lbmanager.upgrade;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One upgrade of a group's Nginx image as stored in ZooKeeper ({@code {root}/fleet/{group}/upgrade}),
 * everything a restarted manager needs to carry on. The id is also the backend's generation id
 * (the Singularity deploy id). {@code revertGeneration} is set when undoing needed a new
 * generation of the old image (the new one had already become active). {@code crashBudget} is null
 * in records written before it existed.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record UpgradeRecord(
        String id,
        String group,
        UpgradeState state,
        Phase phase,
        String fromImage,
        String toImage,
        int instances,
        int stepSize,
        int bakeSeconds,
        double maxErrorRate,
        int step,
        int totalSteps,
        int target,
        String message,
        String by,
        boolean rollback,
        String revertGeneration,
        long startedAtMillis,
        long updatedAtMillis,
        long phaseSinceMillis,
        long lastHoldMillis,
        int probes,
        int probeErrors,
        Integer crashBudget) {

    UpgradeRecord with(UpgradeState newState, Phase newPhase, String newMessage, long now) {
        return new UpgradeRecord(id, group, newState, newPhase, fromImage, toImage, instances, stepSize, bakeSeconds,
                maxErrorRate, step, totalSteps, target, newMessage, by, rollback, revertGeneration, startedAtMillis, now,
                newPhase == phase ? phaseSinceMillis : now, lastHoldMillis, newPhase == phase ? probes : 0,
                newPhase == phase ? probeErrors : 0, crashBudget);
    }

    /** The same phase, started over now (a resumed step bakes again from zero). */
    UpgradeRecord restartedIn(UpgradeState newState, Phase newPhase, String newMessage, long now) {
        return new UpgradeRecord(id, group, newState, newPhase, fromImage, toImage, instances, stepSize, bakeSeconds,
                maxErrorRate, step, totalSteps, target, newMessage, by, rollback, revertGeneration, startedAtMillis, now,
                now, lastHoldMillis, 0, 0, crashBudget);
    }

    UpgradeRecord withStep(int newStep, int newTarget, String newMessage, long now) {
        return new UpgradeRecord(id, group, state, Phase.LAUNCHING, fromImage, toImage, instances, stepSize, bakeSeconds,
                maxErrorRate, newStep, totalSteps, newTarget, newMessage, by, rollback, revertGeneration, startedAtMillis,
                now, now, lastHoldMillis, 0, 0, crashBudget);
    }

    UpgradeRecord withProbes(int moreProbes, int moreErrors, String newMessage, long now) {
        return new UpgradeRecord(id, group, state, phase, fromImage, toImage, instances, stepSize, bakeSeconds,
                maxErrorRate, step, totalSteps, target, newMessage, by, rollback, revertGeneration, startedAtMillis, now,
                phaseSinceMillis, lastHoldMillis, probes + moreProbes, probeErrors + moreErrors, crashBudget);
    }

    UpgradeRecord withRevertGeneration(String generation, long now) {
        return new UpgradeRecord(id, group, state, phase, fromImage, toImage, instances, stepSize, bakeSeconds,
                maxErrorRate, step, totalSteps, target, message, by, rollback, generation, startedAtMillis, now,
                phaseSinceMillis, lastHoldMillis, probes, probeErrors, crashBudget);
    }

    UpgradeRecord heldAt(long now) {
        return new UpgradeRecord(id, group, state, phase, fromImage, toImage, instances, stepSize, bakeSeconds,
                maxErrorRate, step, totalSteps, target, message, by, rollback, revertGeneration, startedAtMillis,
                updatedAtMillis, phaseSinceMillis, now, probes, probeErrors, crashBudget);
    }

    /** Failures of new tasks this upgrade tolerates; records stored before the budget existed get the default. */
    public int allowedFailures() {
        return crashBudget == null ? UpgradeSettings.DEFAULT_CRASH_BUDGET : crashBudget;
    }

    /** What the API shows. */
    public UpgradeView view() {
        return new UpgradeView(id, state, phase, fromImage, toImage, stepSize, step, totalSteps, allowedFailures(), message,
                startedAtMillis, updatedAtMillis);
    }
}
