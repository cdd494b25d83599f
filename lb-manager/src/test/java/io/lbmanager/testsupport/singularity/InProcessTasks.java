package io.lbmanager.testsupport.singularity;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Tasks as in-process HTTP servers on 127.0.0.1, answering as the contract tests' task command does:
 * 200 {@code healthy} on {@code /healthy...}, 503 {@code sick} on anything else. The deploy's image
 * and command are not run. A task never ends by itself.
 */
final class InProcessTasks implements SimulatedTasks {

    private final Map<String, HttpServer> servers = new ConcurrentHashMap<>();

    @Override
    public Ports start(String taskId, String requestId, String deployId, String image, Map<String, String> env) {
        try {
            HttpServer traffic = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            traffic.createContext("/", exchange -> {
                try (exchange) {
                    boolean healthy = exchange.getRequestURI().getPath().startsWith("/healthy");
                    byte[] body = (healthy ? "healthy" : "sick").getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(healthy ? 200 : 503, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            });
            traffic.start();
            servers.put(taskId, traffic);
            return new Ports(traffic.getAddress().getPort(), traffic.getAddress().getPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, Boolean> states() {
        return servers.keySet().stream().collect(Collectors.toMap(id -> id, id -> true));
    }

    @Override
    public void stop(String taskId) {
        HttpServer server = servers.remove(taskId);
        if (server != null) {
            server.stop(0);
        }
    }

    @Override
    public Exit exit(String taskId) {
        return new Exit("Container exited with status 0", new byte[0], "");
    }

    void stopAll() {
        servers.keySet().forEach(this::stop);
    }
}
