package io.lbmanager.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Steady, bounded load through Nginx on 127.0.0.1: one thread sends GETs round-robin over the
 * ports it is given until stopped, or until its request or time budget runs out. Counts every
 * answer that is not the expected status as a failure and keeps the first few for the message.
 */
public final class LoadLoop implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> firstFailures = new ConcurrentLinkedQueue<>();
    private final Thread thread;

    private LoadLoop(Supplier<List<Integer>> ports, String path, int expectedStatus, int maxRequests, Duration maxTime) {
        long deadline = System.nanoTime() + maxTime.toNanos();
        thread = new Thread(() -> {
            int next = 0;
            while (running.get() && sent.get() < maxRequests && System.nanoTime() < deadline) {
                List<Integer> targets = ports.get();
                if (targets.isEmpty()) {
                    sleep();
                    continue;
                }
                int port = targets.get(next++ % targets.size());
                Http.Response response = Http.tryGet(port, path);
                sent.incrementAndGet();
                if (response.status() != expectedStatus) {
                    failed.incrementAndGet();
                    if (firstFailures.size() < 5) {
                        firstFailures.add("port " + port + ": " + response.status() + " " + response.body().strip());
                    }
                }
            }
        }, "load-loop");
        thread.setDaemon(true);
    }

    public static LoadLoop start(Supplier<List<Integer>> ports, String path, int expectedStatus, int maxRequests, Duration maxTime) {
        LoadLoop loop = new LoadLoop(ports, path, expectedStatus, maxRequests, maxTime);
        loop.thread.start();
        return loop;
    }

    /** Stops the loop and waits for its last request. */
    public void stop() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
    }

    public int sent() {
        return sent.get();
    }

    public int failed() {
        return failed.get();
    }

    public List<String> firstFailures() {
        return List.copyOf(firstFailures);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static void sleep() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
