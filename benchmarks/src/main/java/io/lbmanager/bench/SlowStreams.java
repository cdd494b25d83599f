package io.lbmanager.bench;

import io.lbmanager.testsupport.RawHttp;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Long responses kept in flight through Nginx the whole time: {@code streams} clients each read a
 * slow response (long download, stream) to its end and start the next one at once, their starts
 * staggered over one response's duration, so new long requests keep arriving while Nginx reloads.
 * A response that ended early after a 200 is <em>cut</em> (what {@code worker_shutdown_timeout}
 * does to an old worker's requests); one without a 200 is <em>failed</em>.
 */
final class SlowStreams implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicInteger cut = new AtomicInteger();
    private final List<Long> cutAfterMillis = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger failed = new AtomicInteger();
    private final List<String> firstFailures = Collections.synchronizedList(new ArrayList<>());
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();

    SlowStreams(int streams, int port, String path, Duration responseDuration, Duration maxTime) {
        long deadline = System.nanoTime() + maxTime.toNanos();
        for (int i = 0; i < streams; i++) {
            long offsetMillis = responseDuration.toMillis() * i / Math.max(1, streams);
            Thread thread = new Thread(() -> streamLoop(port, path, offsetMillis, deadline), "slow-stream-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void streamLoop(int port, String path, long offsetMillis, long deadline) {
        try {
            Thread.sleep(offsetMillis);
        } catch (InterruptedException e) {
            return;
        }
        while (running.get() && System.nanoTime() < deadline) {
            started.incrementAndGet();
            long start = System.nanoTime();
            RawHttp.Head head = null;
            try (Socket socket = RawHttp.connect(port, 15_000)) {
                open.add(socket);
                RawHttp.sendGet(socket, path, false);
                head = RawHttp.readHead(socket.getInputStream());
                long body = RawHttp.readBody(socket.getInputStream(), head.contentLength());
                open.remove(socket);
                if (head.status() != 200) {
                    fail("status " + head.status());
                } else if (body == head.contentLength()) {
                    completed.incrementAndGet();
                } else if (running.get()) {
                    cut(start);
                }
            } catch (IOException e) {
                if (!running.get()) {
                    return;
                }
                if (head != null && head.status() == 200) {
                    cut(start); // reset mid-body rather than closed
                } else {
                    fail(e.toString());
                }
            }
        }
    }

    private void cut(long startNanos) {
        cut.incrementAndGet();
        cutAfterMillis.add((System.nanoTime() - startNanos) / 1_000_000);
    }

    private void fail(String what) {
        failed.incrementAndGet();
        if (firstFailures.size() < 5) {
            firstFailures.add(what);
        }
    }

    int started() {
        return started.get();
    }

    int completed() {
        return completed.get();
    }

    int cut() {
        return cut.get();
    }

    /** How long each cut response had run when it was cut, in ms. */
    List<Long> cutAfterMillis() {
        synchronized (cutAfterMillis) {
            return List.copyOf(cutAfterMillis);
        }
    }

    int failed() {
        return failed.get();
    }

    List<String> firstFailures() {
        return List.copyOf(firstFailures);
    }

    /** Stops the clients and closes the responses still in flight (not counted as cut). */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (Thread thread : threads) {
            thread.interrupt();
            thread.join(20_000);
        }
    }
}
