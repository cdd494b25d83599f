package io.lbmanager.bench;

import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.Load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * (e) Back-to-back changes of one service under steady load on it and on a service that never
 * changes: failures, p99, worker generations. Routing by files, every change is a config version
 * (a reload). With Lua routing every change is a routing-table version (its read timeout), and one
 * in {@code changes / 20} also moves the service to a new option profile (a config version, a reload).
 */
record ChangesUnderLoadScenario(EndToEndBench.Options options, Consumer<Row> rows) implements RigScenario {

    @Override
    public void run(Rig rig, String n) throws Exception {
        rig.awaitSettled();
        String path = "/" + Catalogs.serviceId(0) + "/x";
        List<Integer> ports = rig.trafficPorts();
        Duration quietLoad = Duration.ofSeconds(Math.max(3, Math.min(15, options.changes() / 5)));
        Stats baseline;
        int baselineFailed;
        try (Load load = pacedLoad(ports, path, quietLoad); Load churnLoad = pacedLoad(ports, "/churn/x", quietLoad)) {
            Thread.sleep(quietLoad.toMillis());
            load.stop();
            churnLoad.stop();
            baseline = Stats.of(latencies(load, churnLoad));
            baselineFailed = load.failed() + churnLoad.failed();
        }
        List<Long> masters = new ArrayList<>();
        for (int i = 1; i <= rig.agents.size(); i++) {
            masters.add(NginxWorkers.masterOf(rig.agentDir(i)).orElseThrow(() -> new IllegalStateException("no nginx master found")));
        }
        int steadyWorkers = Math.max(1, NginxWorkers.workersOf(masters.get(0)).current());
        AtomicInteger maxGenerations = new AtomicInteger();
        AtomicInteger maxOldWorkers = new AtomicInteger();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                for (long master : masters) {
                    NginxWorkers.Count count = NginxWorkers.workersOf(master);
                    int generations = (count.current() > 0 ? 1 : 0) + (count.shuttingDown() + steadyWorkers - 1) / steadyWorkers;
                    maxGenerations.accumulateAndGet(generations, Math::max);
                    maxOldWorkers.accumulateAndGet(count.shuttingDown(), Math::max);
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "worker-sampler");
        sampler.setDaemon(true);
        sampler.start();

        List<Long> changeMillis = new ArrayList<>();
        List<Long> before = rig.appliesOfEach();
        Rig.Targets targetsBefore = rig.targets();
        int profileEvery = Math.max(1, options.changes() / 20);
        Load load = pacedLoad(ports, path, Duration.ofMinutes(30));
        Load churnLoad = pacedLoad(ports, "/churn/x", Duration.ofMinutes(30));
        long loadStart = System.nanoTime();
        try {
            for (int i = 0; i < options.changes(); i++) {
                Rig.Targets targets = rig.targets();
                int bodyMb = rig.routesByLua() ? 1_000 + i / profileEvery : 10;
                long start = System.nanoTime();
                rig.putService("churn", "{\"proxyReadTimeoutMs\":" + (10_000 + i) + ",\"clientMaxBodySizeMb\":" + bodyMb + "}");
                Await.await("change " + i + " live on every Nginx", Rig.LONG, () -> changeLive(rig, targets) && rig.settled());
                changeMillis.add((System.nanoTime() - start) / 1_000_000);
            }
        } finally {
            load.stop();
            churnLoad.stop();
            sampling.set(false);
            sampler.join(2_000);
        }
        long reloads = Rig.mostAppliesSince(before, rig.appliesOfEach());
        Rig.Targets targetsAfter = rig.targets();
        String versions = targetsAfter.config() - targetsBefore.config() + " config versions, "
                + (targetsAfter.routes() - targetsBefore.routes()) + " routing-table versions";
        Stats under = Stats.of(latencies(load, churnLoad));
        double rate = (load.sent() + churnLoad.sent()) / ((System.nanoTime() - loadStart) / 1e9);
        String baselineText = "same load, no changes: p99 " + Stats.num(baseline.p99()) + " ms, " + baselineFailed + " failed";
        int failed = load.failed() + churnLoad.failed();
        rows.accept(new Row("(e) failed requests during " + options.changes() + " back-to-back changes of one service (" + versions
                + ", " + reloads + " reloads per Nginx) under " + (load.sent() + churnLoad.sent())
                + " requests to it and to a service that never changes (paced for 200/s, "
                + Stats.num(rate) + "/s achieved; routing by " + rig.routing + ")", n,
                failed + " failed", "-", baselineText, "0 failed",
                failed == 0 ? "met" : "missed: " + failed + " failed " + load.firstFailures() + churnLoad.firstFailures()));
        rows.accept(Row.ms("(e) request latency through Nginx during those changes", n, under, baselineText, "-", Double.NaN));
        rows.accept(new Row("(e) Nginx worker generations alive at once (max over the run; old workers seen: "
                + maxOldWorkers.get() + ", " + steadyWorkers + " per generation)", n, String.valueOf(maxGenerations.get()), "-",
                "1 generation at rest", "<= 3", maxGenerations.get() <= 3 ? "met" : "missed: " + maxGenerations.get()));
        rows.accept(Row.ms("(e) one change (PUT) -> live on every Nginx, back to back", n, Stats.of(changeMillis),
                "-", "-", Double.NaN));
    }

    /** Routing by files a change is a new config target; with Lua routing every change here moves the service's route. */
    private static boolean changeLive(Rig rig, Rig.Targets before) throws Exception {
        Rig.Targets now = rig.targets();
        return rig.routesByLua() ? now.routes() > before.routes() : now.config() > before.config();
    }

    private static List<Double> latencies(Load a, Load b) {
        List<Double> all = new ArrayList<>(a.latenciesMillis());
        all.addAll(b.latenciesMillis());
        return all;
    }

    /** One request every 10 ms (100/s), round robin, a fresh connection each. */
    private static Load pacedLoad(List<Integer> ports, String path, Duration maxTime) {
        return Load.toPorts(() -> ports).path(path).everyMillis(10).maxRequests(1_000_000).maxTime(maxTime).start();
    }
}
