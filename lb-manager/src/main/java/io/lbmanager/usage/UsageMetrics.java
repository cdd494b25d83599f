package io.lbmanager.usage;

import io.lbmanager.contract.UsageRecord;
import io.lbmanager.contract.UsageRecord.ServiceUsage;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Usage counters per service for Prometheus, counted since this manager started: on every poll the
 * growth of the agents' recent hourly nodes (a node only grows) is added up. Cardinality is bounded:
 * the {@code topServices} services with the most requests get their own series, the rest are summed
 * under {@code service="other"} (a service entering the top N moves its past out of "other").
 * Nodes of hours older than {@link #RECENT_HOURS} are not followed (an agent's backlog after a long
 * ZooKeeper outage reaches the reports, not these counters).
 */
public final class UsageMetrics {

    static final int RECENT_HOURS = 3;
    static final String OTHER = "other";

    private final UsageRecords records;
    private final Supplier<? extends Collection<String>> groups;
    private final int topServices;
    private final Map<String, UsageRecord> seen = new HashMap<>();
    private final Map<String, ServiceUsage> totals = new HashMap<>();
    private boolean baselined;

    public UsageMetrics(UsageRecords records, Supplier<? extends Collection<String>> groups, int topServices) {
        this.records = records;
        this.groups = groups;
        this.topServices = topServices;
    }

    public void register(PrometheusRegistry registry) {
        counter(registry, "lbm_usage_requests", "requests per service through the Nginx fleet", ServiceUsage::requests, 1);
        counter(registry, "lbm_usage_bytes_in", "request bytes per service ($request_length)", ServiceUsage::bytesIn, 1);
        counter(registry, "lbm_usage_bytes_out", "response bytes per service ($bytes_sent)", ServiceUsage::bytesOut, 1);
        counter(registry, "lbm_usage_upstream_seconds", "upstream response time per service", ServiceUsage::upstreamMs, 1000);
        counter(registry, "lbm_usage_errors_4xx", "4xx answers per service", ServiceUsage::errors4xx, 1);
        counter(registry, "lbm_usage_errors_5xx", "5xx answers per service", ServiceUsage::errors5xx, 1);
        CounterWithCallback.builder().name("lbm_usage_cpu_seconds").help("the service's share of the Nginx fleet's CPU seconds")
                .labelNames("service").callback(callback -> top().forEach((service, usage) -> callback.call(usage.cpuSeconds(), service)))
                .register(registry);
    }

    private void counter(PrometheusRegistry registry, String name, String help, Function<ServiceUsage, Long> value, double divisor) {
        CounterWithCallback.builder().name(name).help(help + " since the manager started").labelNames("service")
                .callback(callback -> top().forEach((service, usage) -> callback.call(value.apply(usage) / divisor, service)))
                .register(registry);
    }

    /** Adds the growth of the recent hourly nodes since the last poll; the first poll only remembers them. */
    public synchronized void poll(long now) throws Exception {
        long oldest = UsageRecord.hourOf(now) - (RECENT_HOURS - 1) * 3_600_000L;
        Map<String, UsageRecord> current = new HashMap<>();
        for (String group : groups.get()) {
            for (String name : records.names(group)) {
                if (UsageRecord.intervalStartOf(name) >= oldest) {
                    UsageRecord record = records.read(group, name);
                    if (record != null) {
                        current.put(group + "/" + name, record);
                    }
                }
            }
        }
        if (baselined) {
            current.forEach((node, record) -> {
                UsageRecord before = seen.get(node);
                record.services().forEach((service, usage) -> {
                    ServiceUsage was = before == null ? ServiceUsage.NONE : before.services().getOrDefault(service, ServiceUsage.NONE);
                    ServiceUsage grown = usage.minus(was).withResources(Math.max(0, usage.cpuSeconds() - was.cpuSeconds()),
                            Math.max(0, usage.memoryGbSeconds() - was.memoryGbSeconds()));
                    totals.merge(service, grown, ServiceUsage::plus);
                });
            });
        }
        baselined = true;
        seen.clear();
        seen.putAll(current);
    }

    /** The top services by requests, and "other" for the rest when there are more. */
    synchronized Map<String, ServiceUsage> top() {
        List<Map.Entry<String, ServiceUsage>> ranked = totals.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, ServiceUsage> e) -> e.getValue().requests()).reversed()
                        .thenComparing(Map.Entry::getKey))
                .toList();
        Map<String, ServiceUsage> top = new HashMap<>();
        for (int i = 0; i < ranked.size(); i++) {
            String key = i < topServices && !ranked.get(i).getKey().equals(OTHER) ? ranked.get(i).getKey() : OTHER;
            top.merge(key, ranked.get(i).getValue(), ServiceUsage::plus);
        }
        return top;
    }
}
