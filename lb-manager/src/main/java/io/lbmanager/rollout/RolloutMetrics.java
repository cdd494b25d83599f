package io.lbmanager.rollout;

import com.codahale.metrics.MetricRegistry;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.PublishedVersion;

import java.util.Set;
import java.util.function.Supplier;

/**
 * Metrics of the config flow, in Dropwizard's registry (exported for Prometheus on the admin port
 * at {@code /metrics/prometheus}): rollouts by outcome and their duration, and gauges read from
 * ZooKeeper at scrape time: quarantined services, agents and their lag, reloads.
 */
public final class RolloutMetrics {

    private final MetricRegistry registry;

    private RolloutMetrics(MetricRegistry registry) {
        this.registry = registry;
    }

    public static RolloutMetrics register(MetricRegistry registry, Supplier<Set<String>> groups, RolloutStore rollouts,
                                          GroupStatusStore statuses, AgentDirectory agents) {
        registry.gauge("lbm.services.quarantined", () -> () -> sum(groups, group ->
                statuses.read(group).map(s -> s.quarantined().size()).orElse(0)));
        registry.gauge("lbm.services.held", () -> () -> sum(groups, group -> statuses.read(group).map(s -> s.held().size()).orElse(0)));
        registry.gauge("lbm.agents", () -> () -> sum(groups, group -> agents.agents(group).size()));
        registry.gauge("lbm.agents.lagging", () -> () -> sum(groups, group -> {
            long target = rollouts.target(group).value().map(PublishedVersion::version).orElse(0L);
            return (int) agents.agents(group).stream().filter(a -> a.runningVersion() != target).count();
        }));
        registry.gauge("lbm.agents.reloads", () -> () -> sum(groups, group ->
                (int) agents.agents(group).stream().mapToLong(AgentStatus::applies).sum()));
        return new RolloutMetrics(registry);
    }

    void rolloutFinished(RolloutRecord.State outcome, long millis) {
        registry.counter("lbm.rollouts." + outcome.name().toLowerCase()).inc();
        registry.timer("lbm.rollouts.duration").update(java.time.Duration.ofMillis(millis));
    }

    private interface GroupCount {
        int of(String group) throws Exception;
    }

    private static int sum(Supplier<Set<String>> groups, GroupCount count) {
        int total = 0;
        for (String group : groups.get()) {
            try {
                total += count.of(group);
            } catch (Exception e) {
                return -1;
            }
        }
        return total;
    }
}
