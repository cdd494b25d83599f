package io.lbmanager.bench;

import org.apache.curator.x.discovery.ServiceInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** (a) A registration (0 -> 1 instance) and a deregistration (1 -> 0) until every Nginx serves it. */
record PropagationScenario(EndToEndBench.Options options, Consumer<Row> rows, Supplier<String> floorText) implements RigScenario {

    @Override
    public void run(Rig rig, String n) throws Exception {
        String floorText = floorText().get();
        List<Long> regFirst = new ArrayList<>(), regAll = new ArrayList<>(), deregFirst = new ArrayList<>(), deregAll = new ArrayList<>();
        List<Long> reloads = new ArrayList<>();
        for (int run = 0; run < options.runs(); run++) {
            rig.awaitSettled();
            List<Long> appliesBefore = rig.appliesOfEach();
            long start = System.nanoTime();
            ServiceInstance<String> instance = rig.register("probe", rig.backend.port());
            long[] at = rig.untilEveryNginx(start, "/probe/x", s -> s == 200, Rig.LONG);
            regFirst.add(Math.min(at[0], at[1]));
            regAll.add(Math.max(at[0], at[1]));
            rig.awaitSettled();
            reloads.add(Rig.mostAppliesSince(appliesBefore, rig.appliesOfEach()));

            start = System.nanoTime();
            rig.unregister(instance);
            at = rig.untilEveryNginx(start, "/probe/x", s -> s == 503, Rig.LONG);
            deregFirst.add(Math.min(at[0], at[1]));
            deregAll.add(Math.max(at[0], at[1]));
        }
        rig.awaitSettled();
        long mostReloads = (long) Stats.of(reloads).max();
        String reloadText = "; most reloads per change on one Nginx: " + mostReloads;
        double target = RoutingTargets.membership(rig.services());
        String targetText = RoutingTargets.text(target, "0 reloads");
        rows.accept(Row.ms("(a) x-discovery registration -> first request served by the first Nginx", n, Stats.of(regFirst),
                floorText, "-", Double.NaN));
        rows.accept(Row.ms("(a) x-discovery registration (membership change) -> served by every Nginx" + reloadText, n, Stats.of(regAll),
                floorText, targetText, target).reloadsAtMost(mostReloads, 0));
        rows.accept(Row.ms("(a) x-discovery deregistration -> first Nginx stops routing to it", n, Stats.of(deregFirst),
                floorText, "-", Double.NaN));
        rows.accept(Row.ms("(a) x-discovery deregistration (membership change) -> no Nginx routes to it", n, Stats.of(deregAll),
                floorText, targetText, target));
    }
}
