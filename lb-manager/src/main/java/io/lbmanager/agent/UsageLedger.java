package io.lbmanager.agent;

import io.lbmanager.contract.UsageRecord;
import io.lbmanager.contract.UsageRecord.ServiceUsage;
import io.lbmanager.zk.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's usage book on disk ({@code usage.json} in its runtime directory): the counters it read
 * last (with their Nginx epoch and time) and the records not yet in ZooKeeper. Every change is one
 * atomic rename, and a record is written before the reading it came from becomes the new baseline,
 * so an agent killed at any point neither loses an interval nor counts one twice.
 */
final class UsageLedger {

    /** Beyond this many unshipped records (ZooKeeper gone for days), the oldest are dropped. */
    static final int MAX_PENDING = 50_000;

    record State(String epoch, long readAt, Map<String, ServiceUsage> counters, List<UsageRecord> pending) {
        State {
            counters = counters == null ? Map.of() : Map.copyOf(counters);
            pending = pending == null ? List.of() : List.copyOf(pending);
        }
    }

    private final Path file;
    private State state;

    UsageLedger(Path file) throws IOException {
        this.file = file;
        this.state = load(file);
    }

    List<UsageRecord> pending() {
        return state.pending();
    }

    /**
     * Closes the interval since the last reading: the counters' growth (all of them when the Nginx epoch
     * changed, a restarted Nginx), with CPU and memory apportioned by requests. Returns the record kept
     * for shipping, or null when nothing was served. The reading is the baseline from now on.
     */
    UsageRecord close(String group, String agentId, UsageCounters reading, NginxResources.Sample resources, long now,
                      long agentStartedAt) throws IOException {
        long start = state.readAt() > 0 ? state.readAt() : agentStartedAt;
        long end = Math.max(now, start + 1);
        boolean sameNginx = reading.epoch().equals(state.epoch());
        Map<String, ServiceUsage> grown = new HashMap<>();
        long requests = 0;
        for (Map.Entry<String, ServiceUsage> service : reading.services().entrySet()) {
            ServiceUsage before = sameNginx ? state.counters().getOrDefault(service.getKey(), ServiceUsage.NONE) : ServiceUsage.NONE;
            ServiceUsage delta = service.getValue().minus(before);
            if (!delta.isEmpty() || delta.errors4xx() + delta.errors5xx() > 0) {
                grown.put(service.getKey(), delta);
                requests += delta.requests();
            }
        }
        double memoryGbSeconds = resources.rssBytes() / 1e9 * (end - start) / 1000.0;
        UsageRecord record = null;
        List<UsageRecord> pending = new ArrayList<>(state.pending());
        if (!grown.isEmpty()) {
            Map<String, ServiceUsage> services = new HashMap<>();
            for (Map.Entry<String, ServiceUsage> service : grown.entrySet()) {
                double share = requests == 0 ? 0 : (double) service.getValue().requests() / requests;
                services.put(service.getKey(), service.getValue().withResources(resources.cpuSecondsSinceLast() * share,
                        memoryGbSeconds * share));
            }
            record = new UsageRecord(group, agentId, start, end, reading.epoch(), resources.cpuSecondsSinceLast(), memoryGbSeconds,
                    services);
            pending.add(record);
            while (pending.size() > MAX_PENDING) {
                pending.remove(0);
            }
        }
        save(new State(reading.epoch(), end, reading.services(), pending));
        return record;
    }

    /** The record is in ZooKeeper: forget it. */
    void shipped(UsageRecord record) throws IOException {
        List<UsageRecord> pending = new ArrayList<>(state.pending());
        if (pending.remove(record)) {
            save(new State(state.epoch(), state.readAt(), state.counters(), pending));
        }
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
            return new State(null, 0, Map.of(), List.of());
        }
    }
}
