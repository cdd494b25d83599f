package io.lbmanager.bench;

import io.lbmanager.testsupport.Http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Steady, paced load through Nginx on 127.0.0.1 (one request every {@code intervalMillis}, round
 * robin over the ports, fresh connection each), bounded by a request count and a time budget.
 * Records every latency and counts every answer other than 200 as a failure.
 */
final class LatencyLoad implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger failed = new AtomicInteger();
    private final List<Double> latenciesMillis = Collections.synchronizedList(new ArrayList<>());
    private final List<String> firstFailures = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;

    LatencyLoad(List<Integer> ports, String path, long intervalMillis, int maxRequests, Duration maxTime) {
        this(() -> ports, path, intervalMillis, maxRequests, maxTime);
    }

    /** Over ports that may change while it runs (the ready tasks of a group); waits while there is none. */
    LatencyLoad(Supplier<List<Integer>> currentPorts, String path, long intervalMillis, int maxRequests, Duration maxTime) {
        long deadline = System.nanoTime() + maxTime.toNanos();
        thread = new Thread(() -> {
            int sent = 0;
            long next = System.nanoTime();
            while (running.get() && sent < maxRequests && System.nanoTime() < deadline) {
                List<Integer> ports = currentPorts.get();
                if (ports.isEmpty()) {
                    pause(10);
                    next = System.nanoTime();
                    continue;
                }
                int port = ports.get(sent % ports.size());
                long start = System.nanoTime();
                Http.Response response = Http.tryGet(port, path);
                latenciesMillis.add((System.nanoTime() - start) / 1e6);
                sent++;
                if (response.status() != 200) {
                    failed.incrementAndGet();
                    if (firstFailures.size() < 5) {
                        firstFailures.add(port + ": " + response.status() + " " + response.body().strip());
                    }
                }
                next += intervalMillis * 1_000_000;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    try {
                        Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                } else {
                    next = System.nanoTime();
                }
            }
        }, "latency-load");
        thread.setDaemon(true);
        thread.start();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void stop() throws InterruptedException {
        running.set(false);
        thread.join(15_000);
    }

    int sent() {
        return latenciesMillis.size();
    }

    int failed() {
        return failed.get();
    }

    List<String> firstFailures() {
        return List.copyOf(firstFailures);
    }

    Stats latency() {
        synchronized (latenciesMillis) {
            return Stats.of(new ArrayList<>(latenciesMillis));
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
