package io.lbmanager.upgrade;

/**
 * An upgrade as the REST API and the dashboard see it. {@code phase} says where a step is
 * (LAUNCHING, BAKING, FINISHING, REVERTING; DONE once finished); {@code message} carries, for an
 * upgrade that was rolled back or failed, the reason: which task, its exit status, its last output.
 */
public record UpgradeView(String id, UpgradeState state, Phase phase, String fromImage, String toImage, int stepSize,
                          int step, int totalSteps, int crashBudget, String message, long startedAtMillis,
                          long updatedAtMillis) {
}
