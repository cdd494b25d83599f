package io.lbmanager.bench;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * (e) Failed requests and latency through Nginx during a rolling Nginx upgrade and its rollback,
 * against the same load with no upgrade in the same run; see {@link UpgradeUnderLoad}. Prints a
 * SKIPPED line, and adds no row, when Docker or the image cannot be used.
 */
final class UpgradeScenario implements Scenario {

    static final Duration BASELINE = Duration.ofSeconds(30);

    private final String image;
    private final String routing;
    private final Consumer<Row> rows;
    private final Consumer<String> log;

    UpgradeScenario(String image, String routing, Consumer<Row> rows, Consumer<String> log) {
        this.image = image;
        this.routing = routing;
        this.rows = rows;
        this.log = log;
    }

    @Override
    public void run(int size, String n) throws Exception {
        Optional<String> why = UpgradeUnderLoad.whyUnusable(image);
        if (why.isPresent()) {
            log.accept("SKIPPED upgrade scenario at " + n + ": " + why.get());
            return;
        }
        log.accept("=== " + n + ": manager with the Docker fleet, " + UpgradeUnderLoad.INSTANCES + " containers of " + image);
        try {
            measure(size, n);
        } catch (Exception | AssertionError e) {
            // The engine is shared: another user may restart it mid-run. Say so; the other scenarios still run.
            log.accept("ABORTED upgrade scenario at " + n + " (rows of the phases before are kept): " + e);
        }
    }

    private void measure(int size, String n) throws Exception {
        try (UpgradeUnderLoad fleet = UpgradeUnderLoad.start(image, routing, size, log)) {
            String path = "/" + Catalogs.serviceId(0) + "/x";
            UpgradeUnderLoad.Phase steady = fleet.steady(path, BASELINE);
            log.accept(describe(steady));
            String baseline = "same load, no upgrade (" + steady.sent() + " requests): median " + Stats.num(steady.latency().median())
                    + " / p99 " + Stats.num(steady.latency().p99()) + " ms, " + steady.failed() + " failed";
            UpgradeUnderLoad.Phase upgrade = fleet.upgrade(path);
            log.accept(describe(upgrade));
            addRows(upgrade, "a rolling upgrade to a relabeled image (" + image + " -> " + fleet.nextImage() + ")", baseline, n);
            UpgradeUnderLoad.Phase rollback = fleet.rollback(path);
            log.accept(describe(rollback));
            addRows(rollback, "its rollback (back to " + image + ")", baseline, n);
        }
    }

    private void addRows(UpgradeUnderLoad.Phase phase, String what, String baseline, String n) {
        double rate = phase.sent() / Math.max(0.001, phase.millis() / 1000.0);
        String setup = UpgradeUnderLoad.INSTANCES + " Nginx containers, routing by " + routing + ", step 1, bake " + UpgradeUnderLoad.BAKE_SECONDS
                + " s, ended " + phase.outcome() + " after " + Stats.num(phase.millis() / 1000.0) + " s";
        rows.accept(new Row("(e) failed requests during " + what + " (" + setup + ") under " + phase.sent()
                + " requests over the ready tasks (paced for 200/s, " + Stats.num(rate) + "/s achieved)", n,
                phase.failed() + " failed", "-", baseline, "0 failed",
                phase.failed() == 0 ? "met" : "missed: " + phase.failed() + " failed " + phase.firstFailures()));
        rows.accept(Row.ms("(e) request latency through Nginx during " + what, n, phase.latency(), baseline, "-", Double.NaN));
        int generations = phase.maxGenerationsPerContainer();
        rows.accept(new Row("(e) Nginx worker generations alive at once in one container during " + what + " (max over "
                + phase.containersSampled() + " containers, sampled every 200 ms)", n, String.valueOf(generations), "-",
                "1 generation at rest", "<= 3", generations == 0 ? "not observed" : generations <= 3 ? "met" : "missed: " + generations));
    }

    private static String describe(UpgradeUnderLoad.Phase p) {
        return p.name() + ": " + p.sent() + " requests, " + p.failed() + " failed " + p.firstFailures() + ", "
                + p.latency().format("ms") + ", " + p.millis() + " ms, " + p.outcome() + ", max generations per container "
                + p.maxGenerationsPerContainer() + " over " + p.containersSampled() + " containers";
    }
}
