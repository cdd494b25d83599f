package io.lbmanager.peers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /_lbm/peers} (and {@code /_lbm/routes}) to the local Nginx over its unix socket (HTTP/1.0, so the answer is
 * neither chunked nor kept alive). The Lua side checks every line before it applies any.
 */
public final class NginxPeersEndpoint implements AutoCloseable {

    public record Answer(int status, String body) {
        public boolean ok() {
            return status == 200;
        }
    }

    private final Path socket;
    private final Duration timeout;
    private final ScheduledExecutorService watchdog =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "peers-endpoint-watchdog");
                thread.setDaemon(true);
                return thread;
            });

    public NginxPeersEndpoint(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    /** @throws IOException if Nginx does not answer on the socket within the timeout */
    public Answer post(String lines) throws IOException {
        byte[] body = lines.getBytes(StandardCharsets.UTF_8);
        return exchange("POST /_lbm/peers HTTP/1.0\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: "
                + body.length + "\r\n\r\n", body);
    }

    /** {@code POST path} with a text body on the same socket. */
    public Answer post(String path, String lines) throws IOException {
        byte[] body = lines.getBytes(StandardCharsets.UTF_8);
        return exchange("POST " + path + " HTTP/1.0\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: "
                + body.length + "\r\n\r\n", body);
    }

    /** {@code GET path} on the same socket. */
    public Answer get(String path) throws IOException {
        return exchange("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n", new byte[0]);
    }

    private Answer exchange(String head, byte[] body) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ScheduledFuture<?> deadline = watchdog.schedule(() -> closeQuietly(channel), timeout.toMillis(), TimeUnit.MILLISECONDS);
            try {
                writeFully(channel, ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
                writeFully(channel, ByteBuffer.wrap(body));
                return parse(readToEnd(channel));
            } catch (IOException e) {
                throw deadline.isDone() ? new IOException("nginx did not answer on " + socket + " within " + timeout.toMillis() + " ms", e) : e;
            } finally {
                deadline.cancel(false);
            }
        }
    }

    private static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static String readToEnd(SocketChannel channel) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        while (channel.read(buffer) >= 0) {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Answer parse(String response) throws IOException {
        int lineEnd = response.indexOf("\r\n");
        String[] statusLine = (lineEnd < 0 ? response : response.substring(0, lineEnd)).split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/") || !statusLine[1].matches("[0-9]{3}")) {
            throw new IOException("not an HTTP answer: " + response.substring(0, Math.min(80, response.length())));
        }
        int bodyStart = response.indexOf("\r\n\r\n");
        return new Answer(Integer.parseInt(statusLine[1]), bodyStart < 0 ? "" : response.substring(bodyStart + 4).strip());
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing to unblock a read that outlived its deadline
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }
}
