package io.lbmanager.fleet;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Bounded HTTP probes of one Nginx task: the agent's {@code /ready} on the admin port (200 only
 * when Nginx serves the group's current config version) and a request through the traffic port.
 */
public final class TaskProbes implements TaskHealth {

    public static final String READY_PATH = "/ready";
    public static final String VERSION_PATH = "/_lbm/version";

    private final HttpClient http;
    private final Duration timeout;

    public TaskProbes(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public boolean ready(NginxTask task) {
        return status(task.host(), task.adminPort(), READY_PATH) == 200;
    }

    @Override
    public String notReadyReason(NginxTask task) {
        if (task.adminPort() <= 0) {
            return "no admin port";
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + task.host() + ":" + task.adminPort() + READY_PATH))
                .timeout(timeout).GET().build();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            byte[] body = response.body();
            String text = new String(body, 0, Math.min(body.length, TaskOutput.READ_BYTES), java.nio.charset.StandardCharsets.UTF_8);
            return "/ready answered " + response.statusCode() + " " + String.join(" | ", TaskOutput.lastLines(text));
        } catch (IOException e) {
            return "/ready did not answer (" + e.getClass().getSimpleName() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "/ready did not answer";
        }
    }

    @Override
    public int throughTraffic(NginxTask task, String path) {
        return status(task.host(), task.trafficPort(), path);
    }

    private int status(String host, int port, String path) {
        if (port <= 0) {
            return -1;
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                .timeout(timeout).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
