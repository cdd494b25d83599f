package io.lbmanager.upgrade;

/**
 * How one upgrade proceeds.
 *
 * @param stepSize           new instances per step
 * @param bakeSeconds        how long each step's new tasks are probed before the next step
 * @param maxErrorRate       the largest share of failed probe requests (0..1) a step may see
 */
public record UpgradeSettings(int stepSize, int bakeSeconds, double maxErrorRate) {

    public static final UpgradeSettings DEFAULTS = new UpgradeSettings(1, 30, 0.01);

    public UpgradeSettings {
        if (stepSize < 1) {
            throw new IllegalArgumentException("stepSize must be >= 1");
        }
        if (bakeSeconds < 0) {
            throw new IllegalArgumentException("bakeSeconds must be >= 0");
        }
        if (maxErrorRate < 0 || maxErrorRate > 1) {
            throw new IllegalArgumentException("maxErrorRate must be within 0..1");
        }
    }
}
