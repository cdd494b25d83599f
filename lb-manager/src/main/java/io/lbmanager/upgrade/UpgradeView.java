package io.lbmanager.upgrade;

/** An upgrade as the REST API and the dashboard see it. */
public record UpgradeView(String id, UpgradeState state, String fromImage, String toImage, int stepSize, int step,
                          int totalSteps, String message, long startedAtMillis, long updatedAtMillis) {
}
