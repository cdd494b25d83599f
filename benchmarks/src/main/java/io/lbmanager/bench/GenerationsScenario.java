package io.lbmanager.bench;

import io.lbmanager.agent.OldGenerationBound;
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
 * (f) Worker generations and memory across many reloads with long-lived connections open, in the
 * same run: with the template's {@code worker_shutdown_timeout} taken out (Nginx's default) and no
 * bound of old generations; as the template renders it, no bound; and as the agent runs it, with
 * the template and its default bound ({@link OldGenerationBound#DEFAULT}), which adds how many slow
 * responses the bound cut and how long they had run; see {@link ReloadsWithLongConnections}.
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
            results.add(variant("no worker_shutdown_timeout, no bound of old generations",
                    ReloadsWithLongConnections.withoutShutdownTimeout(product), OldGenerationBound.OFF, settings, backend));
            if (timeout.isPresent()) {
                String template = "worker_shutdown_timeout " + timeout.get() + " (template)";
                results.add(variant(template + ", no bound of old generations", product, OldGenerationBound.OFF, settings, backend));
                results.add(variant(template + ", agent's bound: at most " + OldGenerationBound.DEFAULT + " old generations",
                        product, OldGenerationBound.DEFAULT, settings, backend));
            } else {
                log.accept("the template sets no worker_shutdown_timeout: its variants are not run");
                results.add(variant("no worker_shutdown_timeout, agent's bound: at most " + OldGenerationBound.DEFAULT
                                + " old generations", ReloadsWithLongConnections.withoutShutdownTimeout(product),
                        OldGenerationBound.DEFAULT, settings, backend));
            }
            for (int i = 0; i < results.size(); i++) {
                // each beside the variant before it; the first beside the second
                addRows(results.get(i), brief(results.get(i == 0 ? 1 : i - 1)), n, backend.slowDuration());
            }
        }
    }

    private ReloadsWithLongConnections.Result variant(String name, ConfigBundle bundle, OldGenerationBound bound,
                                                      ReloadsWithLongConnections.Settings settings, DribblingBackend backend)
            throws Exception {
        ReloadsWithLongConnections.Result result = ReloadsWithLongConnections.run(name, bundle, bound, settings, backend,
                Files.createTempDirectory("lbm-bench-generations-"));
        log.accept(describe(result));
        return result;
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
        if (r.bound().enforced()) {
            rows.accept(new Row("(f) slow responses cut across those reloads (" + r.variant() + "): " + r.generationsEnded()
                    + " old generations ended by the agent; how long a cut response had run, median / p99 / max in s", n,
                    r.streamsCut() + " cut of " + r.streamsStarted() + ", after " + seconds(r.cutAfterMillis().median()) + " s",
                    seconds(r.cutAfterMillis().p99()) + " s, max " + seconds(r.cutAfterMillis().max()) + " s", baseline,
                    "max generations <= " + (r.bound().max() + 1), max <= r.bound().max() + 1 ? "met" : "missed: " + max));
        }
    }

    private static String seconds(double millis) {
        return Double.isNaN(millis) ? "-" : Stats.num(millis / 1000.0);
    }

    private static String brief(ReloadsWithLongConnections.Result r) {
        return r.variant() + ": generations median " + Stats.num(r.generations().median()) + ", max "
                + Stats.num(r.generations().max()) + ", RSS peak " + mb(r.rssPeakKb()) + " MB, oldest draining worker "
                + Stats.num(r.oldestDrainingSeconds()) + " s, " + r.streamsCut() + " slow responses cut"
                + (r.bound().enforced() ? " (" + r.generationsEnded() + " old generations ended by the agent)" : "");
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
