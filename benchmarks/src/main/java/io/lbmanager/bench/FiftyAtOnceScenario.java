package io.lbmanager.bench;

import org.apache.curator.x.discovery.ServiceInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** 50 new services defined by 50 parallel PUTs until all are served by every Nginx, and the reloads and routing-table versions that took. */
record FiftyAtOnceScenario(EndToEndBench.Options options, Consumer<Row> rows) implements RigScenario {

    @Override
    public void run(Rig rig, String n) throws Exception {
        int reps = options.runs();
        int count = Math.min(50, Math.max(5, options.runs() * 5 / 2));
        List<Long> times = new ArrayList<>();
        List<Long> reloads = new ArrayList<>();
        List<Long> routesVersions = new ArrayList<>();
        List<Long> answered = new ArrayList<>();
        List<Long> afterAnswered = new ArrayList<>();
        for (int rep = 0; rep < reps; rep++) {
            List<String> ids = new ArrayList<>();
            List<ServiceInstance<String>> instances = new ArrayList<>();
            for (int j = 0; j < count; j++) {
                String id = "burst-" + rep + "-" + j;
                ids.add(id);
                instances.add(rig.register(id, rig.backend.port()));
            }
            rig.awaitSettled();
            List<Long> before = rig.appliesOfEach();
            Rig.Targets targetsBefore = rig.targets();
            long start = System.nanoTime();
            rig.putServices(ids, count);
            long putsAnswered = (System.nanoTime() - start) / 1_000_000;
            long served = rig.untilAllServed(start, ids.stream().map(id -> "/" + id + "/x").toList(), Rig.LONG);
            answered.add(putsAnswered);
            afterAnswered.add(served - putsAnswered);
            times.add(served);
            rig.awaitSettled();
            List<Long> after = rig.appliesOfEach();
            reloads.add(Rig.mostAppliesSince(before, after));
            routesVersions.add(rig.targets().routes() - targetsBefore.routes());
            for (String id : ids) {
                rig.deleteService(id);
            }
            for (ServiceInstance<String> instance : instances) {
                rig.unregister(instance);
            }
            rig.awaitUnpublished(ids);
            rig.awaitSettled();
        }
        Stats r = Stats.of(reloads);
        Stats v = Stats.of(routesVersions);
        String figure = count + " new services at once (" + count + " parallel PUTs) -> all served by every Nginx (most reloads on one Nginx: median "
                + Stats.num(r.median()) + ", max " + Stats.num(r.max()) + "; routing-table versions per burst: median "
                + Stats.num(v.median()) + ", max " + Stats.num(v.max()) + "; every PUT answered after: " + Stats.of(answered).format("ms") + "; all served after the last PUT answered: "
                + Stats.of(afterAnswered).format("ms") + ")";
        if (rig.routesByLua()) {
            double target = RoutingTargets.fiftyNewServices(rig.services());
            rows.accept(Row.ms(figure, n, Stats.of(times), "Baragon: 19-20 s", RoutingTargets.text(target, "0 reloads"), target)
                    .reloadsAtMost((long) r.max(), 0));
        } else {
            rows.accept(Row.ms(figure + ", routing by files", n, Stats.of(times), "Baragon: 19-20 s", "<= 2000 ms, <= 2 reloads", 2000)
                    .reloadsAtMost((long) r.max(), 2));
        }
    }
}
