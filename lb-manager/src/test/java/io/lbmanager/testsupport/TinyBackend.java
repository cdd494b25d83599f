package io.lbmanager.testsupport;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** A JDK HTTP server on 127.0.0.1 that answers every request with one fixed body: a backend for Nginx to proxy to. */
public final class TinyBackend implements AutoCloseable {

    private final HttpServer server;

    private TinyBackend(HttpServer server) {
        this.server = server;
    }

    public static TinyBackend answering(String body) {
        return answeringOn(0, body);
    }

    /** On {@code port} (0: any free one), e.g. a backend that comes back where it was. */
    public static TinyBackend answeringOn(int port, String body) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            server.createContext("/", exchange -> {
                try (exchange; OutputStream out = exchange.getResponseBody()) {
                    exchange.getRequestBody().readAllBytes();
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
