package io.lbmanager.bench;

import org.apache.curator.x.discovery.ServiceInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * (a) A new service (PUT, its instance already registered) until every Nginx serves it, and the
 * reloads that took. With {@code newProfile} each service has an option profile no other service
 * has (its own {@code clientMaxBodySizeMb}), which needs a rendered location: one reload with Lua routing.
 */
record NewServiceScenario(EndToEndBench.Options options, Consumer<Row> rows, Supplier<String> floorText, boolean newProfile)
        implements RigScenario {

    @Override
    public void run(Rig rig, String n) throws Exception {
        String floorText = floorText().get();
        List<Long> all = new ArrayList<>();
        List<Long> reloads = new ArrayList<>();
        List<Long> routesVersions = new ArrayList<>();
        for (int run = 0; run < options.runs(); run++) {
            String id = (newProfile ? "profiled-" : "fresh-") + run;
            ServiceInstance<String> instance = rig.register(id, rig.backend.port());
            rig.awaitSettled();
            List<Long> appliesBefore = rig.appliesOfEach();
            Rig.Targets targetsBefore = rig.targets();
            long start = System.nanoTime();
            rig.putService(id, newProfile ? "{\"clientMaxBodySizeMb\":" + (100 + run) + "}" : null);
            long[] at = rig.untilEveryNginx(start, "/" + id + "/x", s -> s == 200, Rig.LONG);
            all.add(Math.max(at[0], at[1]));
            rig.awaitSettled();
            reloads.add(Rig.mostAppliesSince(appliesBefore, rig.appliesOfEach()));
            routesVersions.add(rig.targets().routes() - targetsBefore.routes());
            rig.deleteService(id);
            rig.unregister(instance);
            rig.awaitUnpublished(List.of(id));
        }
        rig.awaitSettled();
        long mostReloads = (long) Stats.of(reloads).max();
        String paths = " (most reloads on one Nginx per change: " + mostReloads + "; routing-table versions per change: median "
                + Stats.num(Stats.of(routesVersions).median()) + ")";
        if (!rig.routesByLua()) {
            rows.accept(Row.ms("(a) new service (PUT definition, instance registered) -> served by every Nginx, routing by files" + paths,
                    n, Stats.of(all), floorText, "p99 <= 500 ms", 500));
        } else if (newProfile) {
            double target = RoutingTargets.newProfile(rig.services());
            rows.accept(Row.ms("(a) service with a new option profile (PUT, instance registered) -> served by every Nginx" + paths,
                    n, Stats.of(all), floorText, RoutingTargets.text(target, "1 reload"), target).reloadsAtMost(mostReloads, 1));
        } else {
            double target = RoutingTargets.newService(rig.services());
            rows.accept(Row.ms("(a) new service, existing option profile (PUT, instance registered) -> served by every Nginx" + paths,
                    n, Stats.of(all), floorText, RoutingTargets.text(target, "0 reloads"), target).reloadsAtMost(mostReloads, 0));
        }
    }
}
