package io.lbmanager.api.view;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Who used the LB fleet and what it cost: {@code GET /api/v1/usage} (totals per service, team or
 * group) and {@code GET /api/v1/usage/hourly} (the same per hour, for the dashboard's chart).
 * Times are ISO-8601 UTC; a GB is 10^9 bytes; reports have hour granularity.
 */
public final class UsageView {

    private UsageView() {
    }

    public record Prices(double perMillionRequests, double perGbOut, double perGbIn, double perCoreHour, double perGbHourMemory) {
    }

    public record Cost(double requests, double bytesOut, double bytesIn, double cpu, double memory, double total) {
    }

    /**
     * @param upstreamMs      sum of the upstream response times, milliseconds
     * @param noUpstream      503 answers that reached no upstream (counted in errors5xx as well)
     * @param connectFailures requests where connecting to a peer failed at least once
     * @param cpuCoreSeconds  the key's share of the Nginx fleet's CPU (by requests)
     * @param memoryGbHours   its share of the fleet's resident memory over time (by requests)
     */
    public record Line(String key, long requests, long bytesIn, long bytesOut, long upstreamMs, long errors4xx, long errors5xx,
                       long noUpstream, long connectFailures, double cpuCoreSeconds, double memoryGbHours, Cost cost) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Report(String from, String to, String by, String team, Prices prices, List<Line> lines, Line total) {
    }

    public record Hour(String start, List<Line> lines) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Hourly(String from, String to, String by, String team, List<Hour> hours) {
    }
}
