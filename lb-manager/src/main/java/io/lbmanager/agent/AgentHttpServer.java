package io.lbmanager.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.zk.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The agent's admin port, for health checks (Singularity's, later):
 * {@code GET /health} 200 while the Nginx master lives; {@code GET /ready} 200 only while Nginx
 * serves the group's current target and, with the Lua balancer, holds every peer list;
 * {@code GET /status} the AgentStatus JSON; {@code GET /upstreams} the AgentUpstreams JSON (what Nginx
 * routes to, its request and 5xx counters per service); {@code GET /wakes} the WakeRequests JSON (hibernated
 * services its Nginx received requests for).
 */
public final class AgentHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;

    public AgentHttpServer(String host, int port, ConfigAgent agent) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "agent-admin");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/health", exchange -> respond(exchange, agent.nginxAlive() ? 200 : 503,
                "text/plain", agent.nginxAlive() ? "nginx running\n" : "nginx not running\n"));
        server.createContext("/ready", exchange -> {
            Readiness readiness = agent.readiness();
            respond(exchange, readiness.ready() ? 200 : 503, "text/plain", readiness.reason() + "\n");
        });
        server.createContext("/status", exchange -> respond(exchange, 200, "application/json",
                new String(Json.write(agent.status()), StandardCharsets.UTF_8)));
        server.createContext("/upstreams", exchange -> respond(exchange, 200, "application/json",
                new String(Json.write(agent.upstreams()), StandardCharsets.UTF_8)));
        server.createContext("/wakes", exchange -> respond(exchange, 200, "application/json",
                new String(Json.write(agent.wakeRequests()), StandardCharsets.UTF_8)));
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int code, String contentType, String body) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(code, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
