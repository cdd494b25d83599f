package io.lbmanager.contract;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one Nginx served, per service: the growth of its usage counters between readings by its agent,
 * with the Nginx's CPU and memory apportioned to the services by their share of each interval's
 * requests. The agent sums its intervals per hour (an interval belongs to the hour it ends in) and
 * rewrites that hour's node ({@code groups/{group}/usage/{hourStart}-{agentId}}) once per interval
 * with traffic; the manager sums the nodes into reports.
 *
 * @param intervalStart      epoch millis: the hour's start (of one interval: the reading it counts from)
 * @param intervalEnd        epoch millis of the last reading counted in
 * @param writer             the agent ledger that wrote the node (a new one adopts what an old one wrote)
 * @param cpuSeconds         CPU seconds (user + system) the Nginx master and workers used in the interval
 * @param memoryGbSeconds    their resident memory times the interval's length
 */
public record UsageRecord(String group, String agentId, long intervalStart, long intervalEnd, String writer,
                          double cpuSeconds, double memoryGbSeconds, Map<String, ServiceUsage> services) {

    public UsageRecord {
        services = services == null ? Map.of() : Map.copyOf(services);
    }

    /** The ZooKeeper node name of this record: sorts by time, unique per agent and interval. */
    public String nodeName() {
        return nodeName(intervalStart, agentId);
    }

    public static String nodeName(long intervalStart, String agentId) {
        return String.format("%013d", intervalStart) + "-" + agentId;
    }

    /** The interval start a node name carries, or -1 when it is not one of {@link #nodeName()}. */
    public static long intervalStartOf(String nodeName) {
        int dash = nodeName.indexOf('-');
        if (dash != 13) {
            return -1;
        }
        try {
            return Long.parseLong(nodeName.substring(0, dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * One service's share of an interval. Errors by class: {@code errors4xx} and {@code errors5xx} answers,
     * of which {@code noUpstream} were 503s that reached no upstream, and {@code connectFailures} requests
     * where connecting to a peer failed at least once.
     *
     * @param upstreamMs sum of the upstream response times of the requests' attempts, in milliseconds
     */
    public record ServiceUsage(long requests, long bytesIn, long bytesOut, long upstreamMs, long errors4xx, long errors5xx,
                               long noUpstream, long connectFailures, double cpuSeconds, double memoryGbSeconds) {

        public static final ServiceUsage NONE = new ServiceUsage(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        public ServiceUsage plus(ServiceUsage other) {
            return new ServiceUsage(requests + other.requests, bytesIn + other.bytesIn, bytesOut + other.bytesOut,
                    upstreamMs + other.upstreamMs, errors4xx + other.errors4xx, errors5xx + other.errors5xx,
                    noUpstream + other.noUpstream, connectFailures + other.connectFailures,
                    cpuSeconds + other.cpuSeconds, memoryGbSeconds + other.memoryGbSeconds);
        }

        /** The counters' growth from {@code before} to this; a counter that shrank (it cannot, within one epoch) counts 0. */
        public ServiceUsage minus(ServiceUsage before) {
            return new ServiceUsage(grown(requests, before.requests), grown(bytesIn, before.bytesIn), grown(bytesOut, before.bytesOut),
                    grown(upstreamMs, before.upstreamMs), grown(errors4xx, before.errors4xx), grown(errors5xx, before.errors5xx),
                    grown(noUpstream, before.noUpstream), grown(connectFailures, before.connectFailures), 0, 0);
        }

        public ServiceUsage withResources(double cpu, double memory) {
            return new ServiceUsage(requests, bytesIn, bytesOut, upstreamMs, errors4xx, errors5xx, noUpstream, connectFailures,
                    cpu, memory);
        }

        public boolean isEmpty() {
            return requests == 0 && bytesIn == 0 && bytesOut == 0 && upstreamMs == 0;
        }

        private static long grown(long now, long before) {
            return Math.max(0, now - before);
        }
    }

    /** Both records' services and resources summed, into this one's hour and writer; it ends when the later one ends. */
    public UsageRecord plus(UsageRecord other) {
        Map<String, ServiceUsage> sum = new TreeMap<>(services);
        other.services().forEach((service, usage) -> sum.merge(service, usage, ServiceUsage::plus));
        return new UsageRecord(group, agentId, intervalStart, Math.max(intervalEnd, other.intervalEnd), writer,
                cpuSeconds + other.cpuSeconds, memoryGbSeconds + other.memoryGbSeconds, sum);
    }

    /** The start of the hour (UTC) that {@code millis} is in. */
    public static long hourOf(long millis) {
        return millis - Math.floorMod(millis, 3_600_000L);
    }
}
