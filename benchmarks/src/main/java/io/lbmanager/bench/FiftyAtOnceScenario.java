package io.lbmanager.bench;

import org.apache.curator.x.discovery.ServiceInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/** 50 new services defined at once (10 callers) until all are served by every Nginx, and reloads that took. */
record FiftyAtOnceScenario(EndToEndBench.Options options, Consumer<Row> rows) implements RigScenario {

    @Override
    public void run(Rig rig, String n) throws Exception {
        int reps = Math.max(1, options.runs() / 5);
        int count = Math.min(50, Math.max(5, options.runs() * 5 / 2));
        List<Long> times = new ArrayList<>();
        List<Long> reloads = new ArrayList<>();
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
            long start = System.nanoTime();
            rig.putServices(ids, 10);
            times.add(rig.untilAllServed(start, ids.stream().map(id -> "/" + id + "/x").toList(), Rig.LONG));
            rig.awaitSettled();
            List<Long> after = rig.appliesOfEach();
            reloads.add(IntStream.range(0, after.size()).mapToLong(i -> after.get(i) - before.get(i)).max().orElse(0));
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
        rows.accept(Row.ms(count + " new services at once -> all served by every Nginx (most reloads on one Nginx: median "
                + Stats.num(r.median()) + ", max " + Stats.num(r.max()) + ")", n, Stats.of(times),
                "Baragon: 19-20 s", "<= 2000 ms, <= 2 reloads", 2000));
    }
}
