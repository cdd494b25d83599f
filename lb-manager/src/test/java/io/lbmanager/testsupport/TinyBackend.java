package io.lbmanager.testsupport;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Function;

/** A JDK HTTP server on 127.0.0.1 that answers every request with one fixed body, or echoes its target: a backend for Nginx to proxy to. */
public final class TinyBackend implements AutoCloseable {

    static {
        // The JDK's HttpServer leaves Nagle's algorithm on (read once, when its first server starts): over a
        // connection Nginx keeps, the body written after the headers waits for Nginx's delayed ACK, about 40 ms.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;

    private TinyBackend(HttpServer server) {
        this.server = server;
    }

    public static TinyBackend answering(String body) {
        return answeringOn(0, body);
    }

    /** On {@code port} (0: any free one), e.g. a backend that comes back where it was. */
    public static TinyBackend answeringOn(int port, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return serving(port, uri -> bytes);
    }

    /** Answers every request with {@code name}, a space and the request target exactly as Nginx sent it (path and query, still encoded). */
    public static TinyBackend echoing(String name) {
        return serving(0, uri -> (name + " " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()))
                .getBytes(StandardCharsets.UTF_8));
    }

    private static TinyBackend serving(int port, Function<URI, byte[]> answer) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
            server.createContext("/", exchange -> {
                try (exchange; OutputStream out = exchange.getResponseBody()) {
                    exchange.getRequestBody().readAllBytes();
                    byte[] bytes = answer.apply(exchange.getRequestURI());
                    exchange.sendResponseHeaders(200, bytes.length);
                    out.write(bytes);
                }
            });
            server.setExecutor(Executors.newFixedThreadPool(4));
            server.start();
            return new TinyBackend(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
