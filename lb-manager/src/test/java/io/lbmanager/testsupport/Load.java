package io.lbmanager.testsupport;

import io.lbmanager.fleet.FleetBackend;
import io.lbmanager.fleet.TaskProbes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one load generator of tests and benchmarks: GETs to loopback addresses only (127.0.0.0/8), round robin over the current
 * targets, bounded by a request count and a time budget (whichever comes first). Every answer that
 * is not the expected one counts as failed; the first failures are kept for a message; every
 * latency and the sent/failed counts per target are recorded.
 * <pre>
 * try (Load load = Load.toPorts(() -> ports).path("/shop/1").maxRequests(20_000).maxTime(Duration.ofSeconds(90)).start()) {
 *     ...
 *     assertThat(load.stop().failed()).as("failed requests: %s", load.firstFailures()).isZero();
 * }
 * </pre>
 */
public final class Load implements AutoCloseable {

    /**
     * Where requests go: a loopback address (127.0.0.1 unless said; a Mesos stand-in agent's tasks listen
     * on 127.0.0.x) and port, and the name a failure is reported under. Any other address is refused.
     */
    public record Target(String host, int port, String name) {
        public Target {
            if (!host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
                throw new IllegalArgumentException("load goes to loopback addresses only, not " + host);
            }
        }

        public Target(int port, String name) {
            this("127.0.0.1", port, name);
        }

        public static Target port(int port) {
            return new Target(port, "port " + port);
        }
    }

    /** What one target got. */
    public record TargetCounts(int sent, int failed) {
    }

    private static final int FAILURES_KEPT = 20;

    private final Settings settings;
    private final long deadlineNanos;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger nextTarget = new AtomicInteger();
    private final List<String> firstFailures = new CopyOnWriteArrayList<>();
    private final List<Double> latenciesMillis = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicInteger[]> perTarget = new ConcurrentHashMap<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Function<Target, Http.Response> request;
    private volatile List<Target> refreshed = List.of();

    private Load(Settings settings) {
        this.settings = settings;
        this.deadlineNanos = System.nanoTime() + settings.maxTime.toNanos();
        this.request = settings.keepAlive ? keepAliveRequests(settings.path) : target -> Http.tryGet(target.host(), target.port(), settings.path);
    }

    /** Over fixed or changing targets (an empty list makes the senders wait). */
    public static Settings to(Supplier<List<Target>> targets) {
        return new Settings(targets, null, null);
    }

    public static Settings toPorts(Supplier<List<Integer>> ports) {
        return to(() -> ports.get().stream().map(Target::port).toList());
    }

    /** Over targets read by {@code source} every {@code every} on a thread of the load's own; on an error the last list is kept. */
    public static Settings toRefreshed(Duration every, Callable<List<Target>> source) {
        return new Settings(null, every, source);
    }

    /** As an upstream load balancer would: the group's tasks that answer {@code /ready}, read from the fleet backend every 200 ms. */
    public static Settings toReadyTasks(FleetBackend fleet, String group) {
        TaskProbes probes = new TaskProbes(Duration.ofMillis(500));
        return toRefreshed(Duration.ofMillis(200), () -> fleet.tasks(group).stream().filter(probes::ready)
                .map(task -> new Target(task.host(), task.trafficPort(), task.taskId() + " (" + task.image() + ")")).toList());
    }

    /**
     * How the load runs; {@link #start()} starts it. Defaults: path "/", status 200, any body, one sender,
     * no pause, a fresh connection each, at most 10,000 requests or 60 s.
     */
    public static final class Settings {
        private final Supplier<List<Target>> targets;
        private final Duration refreshEvery;
        private final Callable<List<Target>> refreshSource;
        private String path = "/";
        private int expectedStatus = 200;
        private String expectedBody;
        private int senders = 1;
        private long everyMillis;
        private boolean keepAlive;
        private long maxRequests = 10_000;
        private Duration maxTime = Duration.ofSeconds(60);

        private Settings(Supplier<List<Target>> targets, Duration refreshEvery, Callable<List<Target>> refreshSource) {
            this.targets = targets;
            this.refreshEvery = refreshEvery;
            this.refreshSource = refreshSource;
        }

        public Settings path(String path) {
            this.path = path;
            return this;
        }

        public Settings expectStatus(int status) {
            this.expectedStatus = status;
            return this;
        }

        /** Status 200 with exactly this body. */
        public Settings expectBody(String body) {
            this.expectedBody = body;
            return this;
        }

        public Settings senders(int senders) {
            this.senders = senders;
            return this;
        }

        /** Each sender starts one request every {@code millis} (catching up is not attempted). */
        public Settings everyMillis(long millis) {
            this.everyMillis = millis;
            return this;
        }

        /** Reuse connections (java.net.http's pool), as a client with keep-alive would; default is a fresh connection each. */
        public Settings keepAlive() {
            this.keepAlive = true;
            return this;
        }

        public Settings maxRequests(long maxRequests) {
            this.maxRequests = maxRequests;
            return this;
        }

        public Settings maxTime(Duration maxTime) {
            this.maxTime = maxTime;
            return this;
        }

        public Load start() {
            Load load = new Load(this);
            if (refreshSource != null) {
                load.refresh();
                load.spawn("load-refresh", load::refreshLoop);
            }
            for (int i = 1; i <= senders; i++) {
                load.spawn("load-" + i, load::sendLoop);
            }
            return load;
        }
    }

    public int sent() {
        return sent.get();
    }

    public int failed() {
        return failed.get();
    }

    /** The first failures (target, status or error, body), for an assertion message. */
    public List<String> firstFailures() {
        return List.copyOf(firstFailures);
    }

    /** Every request's time to a complete answer, in milliseconds. */
    public List<Double> latenciesMillis() {
        synchronized (latenciesMillis) {
            return List.copyOf(latenciesMillis);
        }
    }

    /** Sent and failed requests by target name. */
    public Map<String, TargetCounts> perTarget() {
        Map<String, TargetCounts> counts = new TreeMap<>();
        perTarget.forEach((name, c) -> counts.put(name, new TargetCounts(c[0].get(), c[1].get())));
        return counts;
    }

    /** Stops sending and waits for the last requests. */
    public Load stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(15_000);
        }
        return this;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private void spawn(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private boolean goOn() {
        return running.get() && sent.get() < settings.maxRequests && System.nanoTime() < deadlineNanos;
    }

    private List<Target> targets() {
        return settings.targets != null ? settings.targets.get() : refreshed;
    }

    private void refreshLoop() {
        while (goOn() && pause(settings.refreshEvery.toMillis())) {
            refresh();
        }
    }

    private void refresh() {
        try {
            refreshed = List.copyOf(settings.refreshSource.call());
        } catch (Exception e) {
            // keep the last list, as an upstream load balancer would
        }
    }

    private void sendLoop() {
        long next = System.nanoTime();
        while (goOn()) {
            List<Target> current = targets();
            if (current.isEmpty()) {
                if (!pause(10)) {
                    return;
                }
                next = System.nanoTime();
                continue;
            }
            Target target = current.get(Math.floorMod(nextTarget.getAndIncrement(), current.size()));
            long start = System.nanoTime();
            Http.Response response = request.apply(target);
            latenciesMillis.add((System.nanoTime() - start) / 1e6);
            sent.incrementAndGet();
            AtomicInteger[] counts = perTarget.computeIfAbsent(target.name(),
                    n -> new AtomicInteger[]{new AtomicInteger(), new AtomicInteger()});
            counts[0].incrementAndGet();
            if (!expected(response)) {
                failed.incrementAndGet();
                counts[1].incrementAndGet();
                if (firstFailures.size() < FAILURES_KEPT) {
                    firstFailures.add(target.name() + ": " + response.status() + " " + response.body().strip());
                }
            }
            if (settings.everyMillis > 0) {
                next += settings.everyMillis * 1_000_000;
                long sleepNanos = next - System.nanoTime();
                if (sleepNanos <= 0) {
                    next = System.nanoTime();
                } else if (!pause(sleepNanos / 1_000_000, (int) (sleepNanos % 1_000_000))) {
                    return;
                }
            }
        }
    }

    private boolean expected(Http.Response response) {
        return response.status() == settings.expectedStatus
                && (settings.expectedBody == null || settings.expectedBody.equals(response.body()));
    }

    private static Function<Target, Http.Response> keepAliveRequests(String path) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        return target -> {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://" + target.host() + ":" + target.port() + path))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                return new Http.Response(response.statusCode(), response.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Http.Response(-1, e.toString());
            } catch (Exception e) {
                return new Http.Response(-1, e.toString());
            }
        };
    }

    private static boolean pause(long millis) {
        return pause(millis, 0);
    }

    private static boolean pause(long millis, int nanos) {
        try {
            Thread.sleep(millis, nanos);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
