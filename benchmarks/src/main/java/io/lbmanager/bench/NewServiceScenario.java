package io.lbmanager.bench;

import org.apache.curator.x.discovery.ServiceInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** (a) A new service (PUT, its instance already registered) until every Nginx serves it. */
record NewServiceScenario(EndToEndBench.Options options, Consumer<Row> rows, Supplier<String> floorText) implements RigScenario {

    @Override
    public void run(Rig rig, String n) throws Exception {
        String floorText = floorText().get();
        List<Long> all = new ArrayList<>();
        for (int run = 0; run < options.runs(); run++) {
            String id = "fresh-" + run;
            ServiceInstance<String> instance = rig.register(id, rig.backend.port());
            rig.awaitSettled();
            long start = System.nanoTime();
            rig.putService(id, null);
            long[] at = rig.untilEveryNginx(start, "/" + id + "/x", s -> s == 200, Rig.LONG);
            all.add(Math.max(at[0], at[1]));
            rig.deleteService(id);
            rig.unregister(instance);
            rig.awaitUnpublished(List.of(id));
        }
        rig.awaitSettled();
        rows.accept(Row.ms("(a) new service (PUT definition, instance registered) -> served by every Nginx", n, Stats.of(all),
                floorText, "p99 <= 500 ms", 500));
    }
}
