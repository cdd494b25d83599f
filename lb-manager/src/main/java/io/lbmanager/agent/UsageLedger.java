package io.lbmanager.agent;

import io.lbmanager.contract.UsageRecord;
import io.lbmanager.contract.UsageRecord.ServiceUsage;
import io.lbmanager.zk.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The agent's usage book on disk ({@code usage.json} in its runtime directory): the counters it read
 * last (with their Nginx epoch and time) and its totals per hour, each marked until ZooKeeper holds
 * it. Every change is one atomic rename, and a reading's growth is booked in the same write that makes
 * the reading the new baseline, so an agent stopped at any point neither loses nor double-counts an
 * interval; writing an hour's node is idempotent (the whole total, rewritten).
 */
final class UsageLedger {

    /** Hours kept after ZooKeeper holds them (to adopt nothing twice), and unshipped hours beyond which the oldest go. */
    static final long KEEP_SHIPPED_MILLIS = 2 * 3_600_000L;
    static final int MAX_UNSHIPPED_HOURS = 24 * 14;

    /**
     * One hour of this agent: {@code own} sums the intervals this ledger booked; {@code adopted} is what
     * another ledger of the same agent id had written to the hour's node before (a lost runtime directory),
     * null when none; the node holds their sum.
     */
    record Hour(UsageRecord own, UsageRecord adopted, boolean shipped) {
        UsageRecord total() {
            return adopted == null ? own : own.plus(adopted);
        }
    }

    record State(String ledgerId, String epoch, long readAt, Map<String, ServiceUsage> counters, Map<Long, Hour> hours) {
        State {
            counters = counters == null ? Map.of() : Map.copyOf(counters);
            hours = hours == null ? Map.of() : Map.copyOf(hours);
        }
    }

    private final Path file;
    private State state;

    UsageLedger(Path file) throws IOException {
        this.file = file;
        this.state = load(file);
    }

    String ledgerId() {
        return state.ledgerId();
    }

    /** Hours whose latest total ZooKeeper does not hold yet, oldest first. */
    List<Hour> unshipped() {
        return new TreeMap<>(state.hours()).values().stream().filter(hour -> !hour.shipped()).toList();
    }

    /**
     * Books the growth since the last reading (all of the counters when the Nginx epoch changed: a restarted
     * Nginx) into the hour the reading falls in, with CPU and memory apportioned by requests. Returns the
     * interval booked, or null when nothing was served. The reading is the baseline from now on.
     */
    UsageRecord book(String group, String agentId, UsageCounters reading, NginxResources.Sample resources, long now,
                     long agentStartedAt) throws IOException {
        long start = state.readAt() > 0 ? state.readAt() : agentStartedAt;
        long end = Math.max(now, start + 1);
        boolean sameNginx = reading.epoch().equals(state.epoch());
        Map<String, ServiceUsage> grown = new HashMap<>();
        long requests = 0;
        for (Map.Entry<String, ServiceUsage> service : reading.services().entrySet()) {
            ServiceUsage before = sameNginx ? state.counters().getOrDefault(service.getKey(), ServiceUsage.NONE) : ServiceUsage.NONE;
            ServiceUsage delta = service.getValue().minus(before);
            if (!delta.isEmpty()) {
                grown.put(service.getKey(), delta);
                requests += delta.requests();
            }
        }
        Map<Long, Hour> hours = new HashMap<>(state.hours());
        hours.entrySet().removeIf(hour -> hour.getValue().shipped() && hour.getKey() < UsageRecord.hourOf(now) - KEEP_SHIPPED_MILLIS);
        UsageRecord interval = null;
        if (!grown.isEmpty()) {
            double memoryGbSeconds = resources.rssBytes() / 1e9 * (end - start) / 1000.0;
            Map<String, ServiceUsage> services = new HashMap<>();
            for (Map.Entry<String, ServiceUsage> service : grown.entrySet()) {
                double share = requests == 0 ? 0 : (double) service.getValue().requests() / requests;
                services.put(service.getKey(), service.getValue().withResources(resources.cpuSecondsSinceLast() * share,
                        memoryGbSeconds * share));
            }
            interval = new UsageRecord(group, agentId, start, end, state.ledgerId(), resources.cpuSecondsSinceLast(),
                    memoryGbSeconds, services);
            long hourStart = UsageRecord.hourOf(end);
            Hour hour = hours.get(hourStart);
            UsageRecord empty = new UsageRecord(group, agentId, hourStart, end, state.ledgerId(), 0, 0, Map.of());
            hours.put(hourStart, new Hour((hour == null ? empty : hour.own()).plus(interval), hour == null ? null : hour.adopted(), false));
            while (hours.values().stream().filter(h -> !h.shipped()).count() > MAX_UNSHIPPED_HOURS) {
                hours.remove(new TreeMap<>(hours).firstKey());
            }
        }
        save(new State(state.ledgerId(), reading.epoch(), end, reading.services(), hours));
        return interval;
    }

    /** What another ledger wrote to the hour's node is part of its total from now on. */
    Hour adopt(Hour hour, UsageRecord written) throws IOException {
        Hour adopting = new Hour(hour.own(), hour.adopted() == null ? written : hour.adopted().plus(written), false);
        replace(adopting);
        return adopting;
    }

    /** ZooKeeper holds {@code hour}'s total (unless a later reading changed it meanwhile). */
    void shipped(Hour hour) throws IOException {
        if (hour.equals(state.hours().get(hour.own().intervalStart()))) {
            replace(new Hour(hour.own(), hour.adopted(), true));
        }
    }

    private void replace(Hour hour) throws IOException {
        Map<Long, Hour> hours = new HashMap<>(state.hours());
        hours.put(hour.own().intervalStart(), hour);
        save(new State(state.ledgerId(), state.epoch(), state.readAt(), state.counters(), hours));
    }

    private void save(State next) throws IOException {
        Files.createDirectories(file.getParent());
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.write(temporary, Json.MAPPER.writeValueAsBytes(next));
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        state = next;
    }

    private static State load(Path file) throws IOException {
        try {
            return Json.MAPPER.readValue(Files.readAllBytes(file), State.class);
        } catch (NoSuchFileException e) {
            return new State(UUID.randomUUID().toString(), null, 0, Map.of(), Map.of());
        }
    }
}
