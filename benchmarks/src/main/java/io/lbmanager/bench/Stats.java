package io.lbmanager.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Median, p99 and max of a list of samples (nearest-rank percentiles). */
public record Stats(int n, double median, double p99, double max) {

    public static Stats of(List<? extends Number> samples) {
        if (samples.isEmpty()) {
            return new Stats(0, Double.NaN, Double.NaN, Double.NaN);
        }
        List<Double> sorted = new ArrayList<>();
        samples.forEach(s -> sorted.add(s.doubleValue()));
        Collections.sort(sorted);
        return new Stats(sorted.size(), percentile(sorted, 50), percentile(sorted, 99), sorted.get(sorted.size() - 1));
    }

    static double percentile(List<Double> sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    public String format(String unit) {
        return String.format(Locale.ROOT, "median %s %s, p99 %s %s (n=%d)", num(median), unit, num(p99), unit, n);
    }

    public static String num(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }
}
