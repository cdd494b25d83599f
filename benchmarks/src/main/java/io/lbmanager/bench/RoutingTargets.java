package io.lbmanager.bench;

/**
 * The targets of issue 14 (changes live on every Nginx of a group of 2 with Lua routing), by catalog
 * size: up to 1,000 services, up to 10,000, and beyond (50,000). NaN where the issue asks only for a report.
 */
final class RoutingTargets {

    private RoutingTargets() {
    }

    static double newService(int services) {
        return services <= 10_000 ? 100 : 150;
    }

    static double fiftyNewServices(int services) {
        return services <= 10_000 ? 300 : 500;
    }

    static double membership(int services) {
        return services <= 10_000 ? 50 : 100;
    }

    static double newProfile(int services) {
        return services <= 1_000 ? 500 : services <= 10_000 ? 2_000 : Double.NaN;
    }

    static double validate(int services) {
        return services <= 1_000 ? 300 : services <= 10_000 ? 500 : Double.NaN;
    }

    /** "p99 <= N ms" plus what else the row must show, or "report" without a target. */
    static String text(double p99Millis, String also) {
        String p99 = Double.isNaN(p99Millis) ? "report" : "p99 <= " + Stats.num(p99Millis) + " ms";
        return also.isEmpty() ? p99 : p99 + ", " + also;
    }
}
