package io.lbmanager.upgrade;

/**
 * How one upgrade proceeds.
 *
 * @param stepSize           new instances per step
 * @param bakeSeconds        how long each step's new tasks are probed before the next step
 * @param maxErrorRate       the largest share of failed probe requests (0..1) a step may see
 * @param crashBudget        how many failures of new tasks (exits, crash loops, failed starts or health
 *                           checks) the upgrade tolerates; one more fails the step at once
 */
public record UpgradeSettings(int stepSize, int bakeSeconds, double maxErrorRate, int crashBudget) {

    public static final int DEFAULT_CRASH_BUDGET = 2;
    public static final int MAX_CRASH_BUDGET = 100;
    public static final UpgradeSettings DEFAULTS = new UpgradeSettings(1, 30, 0.01, DEFAULT_CRASH_BUDGET);

    public UpgradeSettings(int stepSize, int bakeSeconds, double maxErrorRate) {
        this(stepSize, bakeSeconds, maxErrorRate, DEFAULT_CRASH_BUDGET);
    }

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
        if (crashBudget < 0 || crashBudget > MAX_CRASH_BUDGET) {
            throw new IllegalArgumentException("crashBudget must be within 0.." + MAX_CRASH_BUDGET);
        }
    }
}
