package io.lbmanager.usage;

import io.lbmanager.contract.UsageRecord;
import io.lbmanager.contract.UsageRecord.ServiceUsage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Sums hourly usage records into lines per service, team or LB group, priced. A service's team is
 * the one its {@code teamOf} names (the first of its owners): a service is billed to one team only,
 * so team totals add up to the fleet's total.
 */
public final class UsageReport {

    public enum By {
        SERVICE, TEAM, GROUP;

        /** {@code service|team|group}, any case; the exception names the value. */
        public static By parse(String text) {
            try {
                return valueOf(text.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("by must be service, team or group, was '" + text + "'");
            }
        }
    }

    public record Line(String key, ServiceUsage usage, UsagePrices.Cost cost) {
    }

    public record Bucket(long start, List<Line> lines) {
    }

    private final By by;
    private final Function<String, String> teamOf;
    private final Optional<String> team;
    private final UsagePrices prices;

    /** @param team only services billed to this team, when present */
    public UsageReport(By by, Function<String, String> teamOf, Optional<String> team, UsagePrices prices) {
        this.by = by;
        this.teamOf = teamOf;
        this.team = team;
        this.prices = prices;
    }

    /** One line per key, the most expensive (then most requested) first. */
    public List<Line> lines(List<UsageRecord> records) {
        Map<String, ServiceUsage> sums = new HashMap<>();
        for (UsageRecord record : records) {
            add(record, sums);
        }
        return priced(sums);
    }

    /** The same per hour, oldest first. */
    public List<Bucket> hourly(List<UsageRecord> records) {
        Map<Long, Map<String, ServiceUsage>> hours = new TreeMap<>();
        for (UsageRecord record : records) {
            add(record, hours.computeIfAbsent(UsageRecord.hourOf(record.intervalStart()), h -> new HashMap<>()));
        }
        List<Bucket> buckets = new ArrayList<>();
        hours.forEach((hour, sums) -> buckets.add(new Bucket(hour, priced(sums))));
        return buckets;
    }

    private void add(UsageRecord record, Map<String, ServiceUsage> sums) {
        record.services().forEach((service, usage) -> {
            String billed = teamOf.apply(service);
            if (team.isPresent() && !team.get().equals(billed)) {
                return;
            }
            String key = switch (by) {
                case SERVICE -> service;
                case TEAM -> billed;
                case GROUP -> record.group();
            };
            sums.merge(key, usage, ServiceUsage::plus);
        });
    }

    private List<Line> priced(Map<String, ServiceUsage> sums) {
        List<Line> lines = new ArrayList<>();
        sums.forEach((key, usage) -> lines.add(new Line(key, usage, prices.costOf(usage))));
        lines.sort(Comparator.comparingDouble((Line line) -> line.cost().total()).reversed()
                .thenComparing(Comparator.comparingLong((Line line) -> line.usage().requests()).reversed())
                .thenComparing(Line::key));
        return lines;
    }
}
