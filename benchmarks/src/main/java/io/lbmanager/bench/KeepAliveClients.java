package io.lbmanager.bench;

import io.lbmanager.testsupport.RawHttp;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients that each keep one connection to Nginx open and send a GET on it every
 * {@code interval} (idle in between), as browsers and API clients with keep-alive do. When the
 * server closed the idle connection (an old worker after a reload does), the client reconnects and
 * sends the request again, as RFC 9110 allows for idempotent requests: that is counted as a
 * retry, not a failure. A failure is a request that got no 200 even on a fresh connection.
 */
final class KeepAliveClients implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger retried = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final List<String> firstFailures = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> threads = new ArrayList<>();

    KeepAliveClients(int clients, int port, String path, Duration interval, Duration maxTime) {
        long deadline = System.nanoTime() + maxTime.toNanos();
        for (int i = 0; i < clients; i++) {
            long offsetMillis = interval.toMillis() * i / Math.max(1, clients);
            Thread thread = new Thread(() -> clientLoop(port, path, interval, offsetMillis, deadline), "keep-alive-client-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void clientLoop(int port, String path, Duration interval, long offsetMillis, long deadline) {
        Socket socket = null;
        try {
            Thread.sleep(offsetMillis);
            while (running.get() && System.nanoTime() < deadline) {
                requests.incrementAndGet();
                try {
                    if (socket == null) {
                        socket = RawHttp.connect(port, 5000);
                    }
                    socket = getOnce(socket, port, path);
                } catch (IOException e) {
                    closeQuietly(socket);
                    socket = null;
                    fail(e.toString());
                }
                Thread.sleep(interval.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(socket);
        }
    }

    /** One request on the kept connection, retried once on a fresh one if the kept one was closed; the socket to keep. */
    private Socket getOnce(Socket socket, int port, String path) throws IOException {
        RawHttp.Head head;
        try {
            RawHttp.sendGet(socket, path, true);
            head = RawHttp.readHead(socket.getInputStream());
        } catch (IOException closedWhileIdle) {
            closeQuietly(socket);
            retried.incrementAndGet();
            socket = RawHttp.connect(port, 5000);
            RawHttp.sendGet(socket, path, true);
            head = RawHttp.readHead(socket.getInputStream());
        }
        long body = RawHttp.readBody(socket.getInputStream(), Math.max(0, head.contentLength()));
        if (head.status() != 200 || body != head.contentLength()) {
            fail("status " + head.status() + ", " + body + " of " + head.contentLength() + " bytes");
        }
        if (head.close() || head.contentLength() < 0) {
            closeQuietly(socket);
            return null;
        }
        return socket;
    }

    private void fail(String what) {
        failed.incrementAndGet();
        if (firstFailures.size() < 5) {
            firstFailures.add(what);
        }
    }

    int requests() {
        return requests.get();
    }

    int retriedAfterClose() {
        return retried.get();
    }

    int failed() {
        return failed.get();
    }

    List<String> firstFailures() {
        return List.copyOf(firstFailures);
    }

    private static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.interrupt();
            thread.join(10_000);
        }
    }
}
