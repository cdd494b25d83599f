package io.lbmanager.bench;

/** One line of BENCHMARKS.md: what was measured, its median and p99, the baseline measured in the same run, the target and the verdict. */
public record Row(String figure, String size, String median, String p99, String baseline, String target, String verdict) {

    static final String HEADER = "| figure | size | median | p99 | baseline (same run) | target | verdict |\n"
            + "|---|---|---|---|---|---|---|";

    String markdown() {
        return "| " + String.join(" | ", figure, size, median, p99, baseline, target, verdict) + " |";
    }

    static Row ms(String figure, String size, Stats stats, String baseline, String target, double targetP99Millis) {
        String verdict = Double.isNaN(targetP99Millis) ? "-"
                : stats.p99() <= targetP99Millis ? "met"
                : String.format(java.util.Locale.ROOT, "missed by %sx", Stats.num(stats.p99() / targetP99Millis));
        return new Row(figure, size, Stats.num(stats.median()) + " ms", Stats.num(stats.p99()) + " ms (n=" + stats.n() + ")",
                baseline, target, verdict);
    }

    /** This row, missed when one Nginx reloaded more often than {@code allowed} (its p99 verdict kept otherwise). */
    Row reloadsAtMost(long mostReloads, long allowed) {
        if (mostReloads <= allowed) {
            return this;
        }
        String missed = mostReloads + " reloads on one Nginx, " + allowed + " allowed";
        return new Row(figure, size, median, p99, baseline, target, verdict.startsWith("missed") ? verdict + "; " + missed : "missed: " + missed);
    }
}
