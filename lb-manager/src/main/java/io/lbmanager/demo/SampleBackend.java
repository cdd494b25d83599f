package io.lbmanager.demo;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A tiny HTTP backend on 127.0.0.1 that answers with its name, so a person can see the load balancing. */
public final class SampleBackend implements AutoCloseable {

    private final String name;
    private final HttpServer server;

    private SampleBackend(String name, HttpServer server) {
        this.name = name;
        this.server = server;
    }

    public static SampleBackend start(String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", exchange -> {
            byte[] body = ("hello from " + name + " (127.0.0.1:" + server.getAddress().getPort() + "), you asked for "
                    + exchange.getRequestURI() + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
            exchange.getResponseHeaders().add("X-Backend", name);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return new SampleBackend(name, server);
    }

    public String name() {
        return name;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
