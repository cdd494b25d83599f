package io.lbmanager.bench;

import io.lbmanager.testsupport.Await;
import org.apache.curator.x.discovery.ServiceInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** (d) Reloads per 1,000 discovery changes: a burst of registrations, a burst of deregistrations, and paced changes at 20/s. */
record DiscoveryReloadsScenario(EndToEndBench.Options options, Consumer<Row> rows) implements RigScenario {

    @Override
    public void run(Rig rig, String n) throws Exception {
        int changes = options.discoveryChanges();
        rig.awaitSettled();
        List<Long> before = rig.appliesOfEach();
        long start = System.nanoTime();
        List<ServiceInstance<String>> instances = new ArrayList<>();
        for (int i = 0; i < changes; i++) {
            instances.add(rig.register("churn", 20_000 + i));
        }
        Await.await("every churn instance published", Rig.LONG, () -> rig.publishedUpstreams("churn") == changes + 1);
        rig.awaitSettled();
        long registerMillis = (System.nanoTime() - start) / 1_000_000;
        long registerReloads = Rig.mostAppliesSince(before, rig.appliesOfEach());

        before = rig.appliesOfEach();
        start = System.nanoTime();
        for (ServiceInstance<String> instance : instances) {
            rig.unregister(instance);
        }
        Await.await("every churn instance gone", Rig.LONG, () -> rig.publishedUpstreams("churn") == 1);
        rig.awaitSettled();
        long deregisterMillis = (System.nanoTime() - start) / 1_000_000;
        long deregisterReloads = Rig.mostAppliesSince(before, rig.appliesOfEach());

        int paced = Math.max(10, changes / 5);
        before = rig.appliesOfEach();
        List<ServiceInstance<String>> pacedInstances = new ArrayList<>();
        long next = System.nanoTime();
        for (int i = 0; i < paced; i++) {
            pacedInstances.add(rig.register("churn", 30_000 + i));
            next += 50_000_000L;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                Thread.sleep(sleep / 1_000_000);
            }
        }
        Await.await("paced registrations live", Rig.LONG, () -> rig.publishedUpstreams("churn") == paced + 1);
        rig.awaitSettled();
        long pacedReloads = Rig.mostAppliesSince(before, rig.appliesOfEach());
        for (ServiceInstance<String> instance : pacedInstances) {
            rig.unregister(instance);
        }
        Await.await("paced instances gone", Rig.LONG, () -> rig.publishedUpstreams("churn") == 1);
        rig.awaitSettled();
        double pacedPer1000 = pacedReloads * 1000.0 / paced;

        String scale = changes == 1000 ? "" : " (scaled to 1,000)";
        rows.accept(new Row("(d) reloads per Nginx for " + changes + " registrations in one burst (all live after "
                + registerMillis + " ms)", n, registerReloads * 1000 / changes + " per 1,000" + scale, "-",
                "every change alone would be 1 reload each", "0 reloads (membership changes)",
                registerReloads == 0 ? "met" : "missed: " + registerReloads + " reloads"));
        rows.accept(new Row("(d) reloads per Nginx for " + changes + " deregistrations in one burst (all gone after "
                + deregisterMillis + " ms)", n, deregisterReloads * 1000 / changes + " per 1,000" + scale, "-",
                "-", "0 reloads", deregisterReloads == 0 ? "met" : "missed: " + deregisterReloads + " reloads"));
        rows.accept(new Row("(d) reloads per Nginx for " + paced + " registrations paced at 20/s", n,
                Stats.num(pacedPer1000) + " per 1,000", "-", "-", "0 reloads",
                pacedReloads == 0 ? "met" : "missed: " + pacedReloads + " reloads for " + paced + " changes"));
    }
}
