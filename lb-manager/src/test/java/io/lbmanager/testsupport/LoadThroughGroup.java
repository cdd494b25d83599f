package io.lbmanager.testsupport;

import io.lbmanager.fleet.FleetBackend;
import io.lbmanager.fleet.NginxTask;
import io.lbmanager.fleet.TaskProbes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady, bounded load through an LB group, the way an upstream load balancer would send it:
 * requests to each task's loopback host (127.0.0.1; 127.0.0.x for Mesos stand-in agents) spread
 * over the group's tasks that answer {@code /ready} (the list is refreshed every 200 ms from the
 * fleet backend), counting every failure. It stops at
 * {@code maxRequests} or {@code maxDuration}, whichever comes first.
 */
public final class LoadThroughGroup implements AutoCloseable {

    private final FleetBackend fleet;
    private final String group;
    private final String path;
    private final String expectedBody;
    private final long maxRequests;
    private final long deadlineNanos;
    private final TaskProbes probes = new TaskProbes(Duration.ofMillis(500));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile List<NginxTask> ready = List.of();

    private LoadThroughGroup(FleetBackend fleet, String group, String path, String expectedBody, long maxRequests,
                             Duration maxDuration) {
        this.fleet = fleet;
        this.group = group;
        this.path = path;
        this.expectedBody = expectedBody;
        this.maxRequests = maxRequests;
        this.deadlineNanos = System.nanoTime() + maxDuration.toNanos();
    }

    /** Starts a refresher and two senders (about 5 ms apart each). */
    public static LoadThroughGroup start(FleetBackend fleet, String group, String path, String expectedBody, long maxRequests,
                                         Duration maxDuration) {
        LoadThroughGroup load = new LoadThroughGroup(fleet, group, path, expectedBody, maxRequests, maxDuration);
        load.refreshReady();
        load.spawn("load-refresh", load::refreshLoop);
        load.spawn("load-1", load::sendLoop);
        load.spawn("load-2", load::sendLoop);
        return load;
    }

    public long sent() {
        return sent.get();
    }

    public long failed() {
        return failed.get();
    }

    /** The first failures, for an assertion message. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** Stops sending and waits for the threads. */
    public LoadThroughGroup stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(5000);
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
        return running.get() && sent.get() < maxRequests && System.nanoTime() < deadlineNanos;
    }

    private void refreshLoop() {
        while (goOn()) {
            refreshReady();
            pause(200);
        }
    }

    private void refreshReady() {
        try {
            ready = fleet.tasks(group).stream().filter(probes::ready).toList();
        } catch (RuntimeException e) {
            // keep the last list, as an upstream LB would
        }
    }

    private void sendLoop() {
        while (goOn()) {
            List<NginxTask> targets = ready;
            if (targets.isEmpty()) {
                pause(20);
                continue;
            }
            NginxTask task = targets.get(ThreadLocalRandom.current().nextInt(targets.size()));
            sent.incrementAndGet();
            String error = send(task);
            if (error != null) {
                failed.incrementAndGet();
                if (failures.size() < 20) {
                    failures.add(task.taskId() + " (" + task.image() + ") " + error);
                }
            }
            pause(5);
        }
    }

    private String send(NginxTask task) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://" + task.host() + ":" + task.trafficPort() + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200 || !response.body().equals(expectedBody)) {
                return "status " + response.statusCode() + " body " + response.body().strip();
            }
            return null;
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
