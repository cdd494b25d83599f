package io.lbmanager.bench;

import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.testsupport.DribblingBackend;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * (f) Worker generations and memory across many reloads with long-lived connections open, once
 * with the config as the template renders it and once with its {@code worker_shutdown_timeout}
 * taken out (Nginx's default), in the same run; see {@link ReloadsWithLongConnections}.
 */
final class GenerationsScenario implements Scenario {

    static final int KEEP_ALIVE_CLIENTS = 20;
    static final Duration KEEP_ALIVE_EVERY = Duration.ofSeconds(2);
    static final int STREAMS = 4;
    static final Duration BYTE_EVERY = Duration.ofMillis(500);
    static final Duration MAX_TIME = Duration.ofMinutes(10);

    private final EndToEndBench.Options options;
    private final Consumer<Row> rows;
    private final Consumer<String> log;

    GenerationsScenario(EndToEndBench.Options options, Consumer<Row> rows, Consumer<String> log) {
        this.options = options;
        this.rows = rows;
        this.log = log;
    }

    @Override
    public void run(int size, String n) throws Exception {
        int slowBytes = (int) Math.max(2, Duration.ofSeconds(options.streamSeconds()).toMillis() / BYTE_EVERY.toMillis());
        try (DribblingBackend backend = new DribblingBackend(slowBytes, BYTE_EVERY)) {
            ReloadsWithLongConnections.Settings settings = new ReloadsWithLongConnections.Settings(size,
                    options.reloadsWithConnections(), KEEP_ALIVE_CLIENTS, KEEP_ALIVE_EVERY, STREAMS, MAX_TIME);
            ConfigBundle product = ReloadsWithLongConnections.productConfig(size, backend.port());
            Optional<String> timeout = ReloadsWithLongConnections.shutdownTimeoutOf(product);
            List<ReloadsWithLongConnections.Result> results = new ArrayList<>();
            log.accept("=== " + n + ": " + settings.reloads() + " reloads of one nginx with " + KEEP_ALIVE_CLIENTS
                    + " keep-alive clients and " + STREAMS + " slow responses of " + backend.slowDuration().toSeconds() + " s open");
            results.add(ReloadsWithLongConnections.run("no worker_shutdown_timeout",
                    ReloadsWithLongConnections.withoutShutdownTimeout(product), settings, backend,
                    Files.createTempDirectory("lbm-bench-generations-")));
            log.accept(describe(results.get(0)));
            if (timeout.isPresent()) {
                results.add(ReloadsWithLongConnections.run("worker_shutdown_timeout " + timeout.get() + " (template)", product,
                        settings, backend, Files.createTempDirectory("lbm-bench-generations-")));
                log.accept(describe(results.get(1)));
            } else {
                log.accept("the template sets no worker_shutdown_timeout: one variant only");
            }
            for (ReloadsWithLongConnections.Result result : results) {
                String other = results.stream().filter(r -> r != result).findFirst().map(GenerationsScenario::brief)
                        .orElse("1 generation at rest");
                addRows(result, other, n, backend.slowDuration());
            }
        }
    }

    private void addRows(ReloadsWithLongConnections.Result r, String baseline, String n, Duration slow) {
        int max = (int) r.generations().max();
        String setup = r.reloads() + " reloads (" + Stats.num(r.reloadMillis().median()) + " ms each, median) with "
                + KEEP_ALIVE_CLIENTS + " keep-alive clients and " + STREAMS + " slow responses of " + slow.toSeconds()
                + " s open, " + r.variant();
        rows.accept(new Row("(f) Nginx worker generations alive after each of " + setup
                + "; oldest draining worker " + Stats.num(r.oldestDrainingSeconds()) + " s",
                n, Stats.num(r.generations().median()), "max " + max + " (n=" + r.generations().n() + ")", baseline,
                "<= 3", max <= 3 ? "met" : "missed: " + max + " generations"));
        rows.accept(new Row("(f) Nginx memory, master + workers, across those reloads (" + r.variant() + ")", n,
                String.format(Locale.ROOT, "RSS start %s / peak %s / end %s MB", mb(r.rssStartKb()), mb(r.rssPeakKb()), mb(r.rssEndKb())),
                "-", String.format(Locale.ROOT, "PSS start %s / peak %s / end %s MB", mb(r.pssStartKb()), mb(r.pssPeakKb()),
                mb(r.pssEndKb())), "-", "-"));
        rows.accept(new Row("(f) requests during those reloads (" + r.variant() + "): " + r.keepAliveRequests()
                + " keep-alive GETs (" + r.keepAliveRetried() + " resent on a new connection after an idle close), "
                + r.streamsStarted() + " slow responses (" + r.streamsCompleted() + " complete, " + r.streamsCut() + " cut)", n,
                r.failedRequests() + " failed", "-", "-", "0 failed",
                r.failedRequests() == 0 ? "met" : "missed: " + r.failedRequests() + " failed " + r.firstFailures()));
    }

    private static String brief(ReloadsWithLongConnections.Result r) {
        return r.variant() + ": generations median " + Stats.num(r.generations().median()) + ", max "
                + Stats.num(r.generations().max()) + ", RSS peak " + mb(r.rssPeakKb()) + " MB, oldest draining worker "
                + Stats.num(r.oldestDrainingSeconds()) + " s, " + r.streamsCut() + " slow responses cut";
    }

    private static String describe(ReloadsWithLongConnections.Result r) {
        return brief(r) + "; " + r.reloads() + " reloads in " + r.millis() + " ms; keep-alive " + r.keepAliveRequests()
                + " requests, " + r.keepAliveRetried() + " resent, " + r.keepAliveFailed() + " failed; streams "
                + r.streamsStarted() + " started, " + r.streamsCompleted() + " complete, " + r.streamsCut() + " cut, "
                + r.streamsFailed() + " failed " + r.firstFailures();
    }

    private static String mb(long kb) {
        return Stats.num(kb / 1024.0);
    }
}
