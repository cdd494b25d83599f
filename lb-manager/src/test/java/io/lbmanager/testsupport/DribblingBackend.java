package io.lbmanager.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A backend on 127.0.0.1 for long-lived responses: a path ending in {@code /slow} gets a response
 * of {@code slowBytes} bytes written one byte per {@code byteEvery} (a long download, a stream);
 * any other path gets {@code ok} at once. HTTP/1.1 with keep-alive, one thread per connection,
 * at most {@value #MAX_CONNECTIONS} connections at once.
 */
public final class DribblingBackend implements AutoCloseable {

    public static final String SLOW_SUFFIX = "/slow";
    private static final int MAX_CONNECTIONS = 256;

    private final ServerSocket server;
    private final ExecutorService connections = Executors.newFixedThreadPool(MAX_CONNECTIONS, r -> {
        Thread thread = new Thread(r, "dribbling-backend");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final int slowBytes;
    private final Duration byteEvery;

    public DribblingBackend(int slowBytes, Duration byteEvery) throws IOException {
        this.slowBytes = slowBytes;
        this.byteEvery = byteEvery;
        server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "dribbling-backend-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** How long a slow response takes from its first byte to its last. */
    public Duration slowDuration() {
        return byteEvery.multipliedBy(slowBytes);
    }

    private void acceptLoop() {
        while (open.get()) {
            try {
                Socket socket = server.accept();
                connections.execute(() -> serve(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = socket.getOutputStream();
            String requestLine;
            while (open.get() && (requestLine = in.readLine()) != null) {
                boolean close = false;
                String header;
                while ((header = in.readLine()) != null && !header.isEmpty()) {
                    close |= header.toLowerCase(java.util.Locale.ROOT).equals("connection: close");
                }
                String path = requestLine.split(" ").length > 1 ? requestLine.split(" ")[1] : "/";
                if (path.endsWith(SLOW_SUFFIX)) {
                    dribble(out);
                } else {
                    out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
                if (close) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client (Nginx) went away: a cut stream, or the end of the run
        }
    }

    private void dribble(OutputStream out) throws IOException, InterruptedException {
        // Without X-Accel-Buffering: no, Nginx holds a dribbled body until a buffer fills (as for a download; a
        // stream or server-sent events send it): the client would see nothing for minutes.
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nX-Accel-Buffering: no\r\nContent-Length: "
                + slowBytes + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        for (int i = 0; i < slowBytes && open.get(); i++) {
            Thread.sleep(byteEvery.toMillis());
            out.write('.');
            out.flush();
        }
    }

    @Override
    public void close() {
        open.set(false);
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        connections.shutdownNow();
    }
}
