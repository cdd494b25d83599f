package io.lbmanager.bench;

import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.Load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** (e) Back-to-back config changes (each one a reload) under steady load: failures, p99, worker generations. */
record ChangesUnderLoadScenario(EndToEndBench.Options options, Consumer<Row> rows) implements RigScenario {

    @Override
    public void run(Rig rig, String n) throws Exception {
        rig.awaitSettled();
        String path = "/" + Catalogs.serviceId(0) + "/x";
        List<Integer> ports = rig.trafficPorts();
        Duration quietLoad = Duration.ofSeconds(Math.max(3, Math.min(15, options.changes() / 5)));
        Stats baseline;
        int baselineFailed;
        try (Load load = pacedLoad(ports, path, quietLoad)) {
            Thread.sleep(quietLoad.toMillis());
            load.stop();
            baseline = Stats.of(load.latenciesMillis());
            baselineFailed = load.failed();
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
        Load load = pacedLoad(ports, path, Duration.ofMinutes(30));
        long loadStart = System.nanoTime();
        try {
            for (int i = 0; i < options.changes(); i++) {
                long target = rig.targetVersion();
                long start = System.nanoTime();
                rig.putService("churn", "{\"proxyReadTimeoutMs\":" + (10_000 + i) + "}");
                Await.await("change " + i + " live on every Nginx", Rig.LONG,
                        () -> rig.targetVersion() > target && rig.settled());
                changeMillis.add((System.nanoTime() - start) / 1_000_000);
            }
        } finally {
            load.stop();
            sampling.set(false);
            sampler.join(2_000);
        }
        long reloads = Rig.mostAppliesSince(before, rig.appliesOfEach());
        Stats under = Stats.of(load.latenciesMillis());
        double rate = load.sent() / ((System.nanoTime() - loadStart) / 1e9);
        String baselineText = "same load, no changes: p99 " + Stats.num(baseline.p99()) + " ms, " + baselineFailed + " failed";
        rows.accept(new Row("(e) failed requests during " + options.changes() + " back-to-back config changes (" + reloads
                + " reloads per Nginx) under " + load.sent() + " requests (paced for 200/s, "
                + Stats.num(rate) + "/s achieved)", n,
                load.failed() + " failed", "-", baselineText, "0 failed",
                load.failed() == 0 ? "met" : "missed: " + load.failed() + " failed " + load.firstFailures()));
        rows.accept(Row.ms("(e) request latency through Nginx during those changes", n, under, baselineText, "-", Double.NaN));
        rows.accept(new Row("(e) Nginx worker generations alive at once (max over the run; old workers seen: "
                + maxOldWorkers.get() + ", " + steadyWorkers + " per generation)", n, String.valueOf(maxGenerations.get()), "-",
                "1 generation at rest", "<= 3", maxGenerations.get() <= 3 ? "met" : "missed: " + maxGenerations.get()));
        rows.accept(Row.ms("(e) one config change (PUT) -> live on every Nginx, back to back", n, Stats.of(changeMillis),
                "-", "-", Double.NaN));
    }

    /** One request every 5 ms (200/s), round robin, a fresh connection each. */
    private static Load pacedLoad(List<Integer> ports, String path, Duration maxTime) {
        return Load.toPorts(() -> ports).path(path).everyMillis(5).maxRequests(1_000_000).maxTime(maxTime).start();
    }
}
