package io.lbmanager.bench;

import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * A new agent (and its Nginx) joining the populated group: from its start until its {@code /ready}
 * answers 200 and it reports the group's config and routing-table targets (the whole table pushed
 * into its Nginx). Baseline: the rig's own agents, started the same way before the catalog was populated.
 */
record AgentStartScenario(EndToEndBench.Options options, Consumer<Row> rows) implements RigScenario {

    static final double TARGET_MILLIS = 5_000;

    @Override
    public void run(Rig rig, String n) throws Exception {
        rig.awaitSettled();
        Rig.Targets targets = rig.targets();
        List<Long> starts = new ArrayList<>();
        for (int run = 0; run < options.runs(); run++) {
            long start = System.nanoTime();
            try (HostAgent joining = HostAgent.start(rig.zookeeper.connectString(), "/lb-manager", Rig.GROUP, "joining-" + run,
                    rig.dir.resolve("joining-" + run))) {
                starts.add(untilReady(joining, () -> targets, start));
            }
        }
        rig.awaitSettled();
        rows.accept(Row.ms("(f) agent start with the whole catalog (routing by " + rig.routing + ", routing table version "
                        + targets.routes() + ") -> /ready and serving the group's targets", n, Stats.of(starts),
                "empty catalog: " + Stats.of(rig.agentStartMillis).format("ms"), "p99 <= 5,000 ms", TARGET_MILLIS));
    }

    /** Milliseconds from {@code startNanos} until the agent is ready with the group's targets (read at each poll), polled every 5 ms. */
    static long untilReady(HostAgent agent, Callable<Rig.Targets> groupTargets, long startNanos) throws Exception {
        long deadline = startNanos + Duration.ofMinutes(2).toNanos();
        Rig.Targets targets = groupTargets.call();
        while (System.nanoTime() < deadline) {
            targets = groupTargets.call();
            var status = agent.agent.status();
            if (status.runningVersion() == targets.config() && status.routesVersion() == targets.routes()
                    && Http.tryGet(agent.adminPort(), "/ready").status() == 200) {
                return (System.nanoTime() - startNanos) / 1_000_000;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("agent " + agent.settings.agentId() + " not ready with config " + targets.config()
                + " and routes " + targets.routes() + " within 2 minutes: " + agent.agent.status());
    }
}
