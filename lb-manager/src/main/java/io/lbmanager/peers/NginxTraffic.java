package io.lbmanager.peers;

import io.lbmanager.render.AgentInclude;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * On the agent: what the local Nginx routes to and how much, read from {@code GET /_lbm/stats} on its
 * unix socket (the peers in {@code lbm_peers}, the request and 5xx counters in {@code lbm_stats}).
 * Nginx is asked at most once per {@link #MIN_INTERVAL}, whoever asks how often; rates are the
 * counters' growth over about the last {@link #WINDOW}. Nothing here writes to ZooKeeper.
 */
public final class NginxTraffic implements AutoCloseable {

    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    static final Duration WINDOW = Duration.ofSeconds(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    /**
     * One service as Nginx holds it: counters since Nginx started, and the peers its balancer picks from
     * ({@code host:port:weight}, or {@code host:port:weight:zone}). With zones, {@code zoneLocal} requests went to a
     * peer of the Nginx's own zone and {@code zoneSpilled} to another zone; both null when Nginx did not count them.
     */
    public record Counters(long requests, long errors, List<String> peers, Long zoneLocal, Long zoneSpilled) {

        public Counters(long requests, long errors, List<String> peers) {
            this(requests, errors, peers, null, null);
        }
    }

    /** One service's counters with their growth per second over {@code windowSeconds}. */
    public record Rates(Counters counters, double requestsPerSecond, double errorsPerSecond) {
    }

    /** @param error why Nginx could not be read (then {@code services} is empty) */
    public record Reading(long sampledAtMillis, double windowSeconds, Map<String, Rates> services, String error) {
    }

    private record Sample(long atNanos, long atMillis, Map<String, Counters> services) {
    }

    private final NginxPeersEndpoint endpoint;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private Reading last;
    private long lastReadNanos;

    public NginxTraffic(Path nginxSocket) {
        this.endpoint = new NginxPeersEndpoint(nginxSocket, TIMEOUT);
    }

    public synchronized Reading read() {
        long now = System.nanoTime();
        if (last != null && now - lastReadNanos < MIN_INTERVAL.toNanos()) {
            return last;
        }
        lastReadNanos = now;
        try {
            NginxPeersEndpoint.Answer answer = endpoint.get(AgentInclude.STATS_PATH);
            if (!answer.ok()) {
                last = failed("nginx answered " + answer.status() + " on " + AgentInclude.STATS_PATH + ": " + firstLine(answer.body()));
                return last;
            }
            samples.addLast(new Sample(now, System.currentTimeMillis(), parse(answer.body())));
        } catch (IOException e) {
            last = failed("cannot read " + AgentInclude.STATS_PATH + " from nginx: " + e.getMessage());
            return last;
        }
        while (samples.size() > 2 && now - secondOldest().atNanos() >= WINDOW.toNanos()) {
            samples.removeFirst();
        }
        last = rates(samples.getFirst(), samples.getLast());
        return last;
    }

    private Sample secondOldest() {
        var iterator = samples.iterator();
        iterator.next();
        return iterator.next();
    }

    private static Reading rates(Sample from, Sample to) {
        double seconds = (to.atNanos() - from.atNanos()) / 1e9;
        Map<String, Rates> services = new HashMap<>();
        to.services().forEach((service, now) -> {
            Counters before = from.services().get(service);
            double requests = 0;
            double errors = 0;
            if (seconds > 0) {
                requests = Math.max(0, now.requests() - (before == null ? 0 : before.requests())) / seconds;
                errors = Math.max(0, now.errors() - (before == null ? 0 : before.errors())) / seconds;
            }
            services.put(service, new Rates(now, round(requests), round(errors)));
        });
        return new Reading(to.atMillis(), round(seconds), services, null);
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private Reading failed(String error) {
        samples.clear();
        return new Reading(System.currentTimeMillis(), 0, Map.of(), error);
    }

    /**
     * Lines of {@code lbm.report()}: {@code <service> <requests> <errors>[ host:port:weight[:zone] ...][ panic=N]}, and
     * {@code @zoned <service> <local> <spilled>}; others are skipped.
     */
    static Map<String, Counters> parse(String body) {
        Map<String, Counters> services = new HashMap<>();
        Map<String, long[]> zoned = new HashMap<>();
        for (String line : body.split("\n")) {
            String[] words = line.strip().split("\\s+");
            if (words.length < 3 || words[0].isEmpty()) {
                continue;
            }
            try {
                if (words[0].equals("@zoned") && words.length == 4) {
                    zoned.put(words[1], new long[] {Long.parseLong(words[2]), Long.parseLong(words[3])});
                } else {
                    services.put(words[0], new Counters(Long.parseLong(words[1]), Long.parseLong(words[2]),
                            Arrays.asList(words).subList(3, words.length).stream().filter(w -> !w.startsWith("panic=")).toList()));
                }
            } catch (NumberFormatException notALine) {
                // not from lbm.report(): ignored
            }
        }
        zoned.forEach((service, counts) -> services.computeIfPresent(service,
                (s, c) -> new Counters(c.requests(), c.errors(), c.peers(), counts[0], counts[1])));
        return services;
    }

    private static String firstLine(String text) {
        String line = text.strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
