package io.lbmanager.fleet;

/**
 * A new generation to roll out.
 *
 * @param id              generation id; also the Singularity deploy id, so only {@code [a-zA-Z0-9_.]}, at most 50
 * @param image           the Nginx + agent image
 * @param firstTarget     active instances of the new generation in the first step
 * @param stepSize        instances per step
 * @param stepHoldMillis  how long a backend that advances steps by itself (Singularity's TIMED acceptance)
 *                        waits before doing so; the policy advances or holds each step before that
 * @param message         why, for the backend's own history
 * @param allowedFailures task failures a step tolerates (the upgrade's crash budget); a backend that
 *                        counts them itself (Singularity's allowedTasksFailuresPerGroup) is given it here
 */
public record GenerationSpec(String id, String image, int firstTarget, int stepSize, long stepHoldMillis, String message,
                             int allowedFailures) {

    public GenerationSpec(String id, String image, int firstTarget, int stepSize, long stepHoldMillis, String message) {
        this(id, image, firstTarget, stepSize, stepHoldMillis, message, 0);
    }

    public static final String ID_PATTERN = "[a-zA-Z0-9_.]{1,50}";

    public GenerationSpec {
        if (!id.matches(ID_PATTERN)) {
            throw new IllegalArgumentException("generation id must match " + ID_PATTERN + ": " + id);
        }
        if (firstTarget < 1 || stepSize < 1) {
            throw new IllegalArgumentException("firstTarget and stepSize must be >= 1");
        }
        if (allowedFailures < 0) {
            throw new IllegalArgumentException("allowedFailures must be >= 0");
        }
    }
}
