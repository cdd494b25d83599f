package io.lbmanager.hibernation;

import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.WakeRequests;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/** On the manager: the services the agents' Nginx asked to wake, from each agent's {@code GET /wakes}, asked of all at once. */
final class AgentWakes {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final int MAX_BYTES = 1024 * 1024;
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();

    /** The union of the agents' wake requests; an agent that does not answer adds none. */
    Set<String> requestedBy(List<AgentStatus> agents) {
        List<CompletableFuture<List<String>>> asked = agents.stream().map(this::wakesOf).toList();
        Set<String> services = new TreeSet<>();
        asked.forEach(answer -> services.addAll(answer.join()));
        return services;
    }

    private CompletableFuture<List<String>> wakesOf(AgentStatus agent) {
        if (agent.host() == null || !HOST.matcher(agent.host()).matches() || agent.adminPort() < 1 || agent.adminPort() > 65535) {
            return CompletableFuture.completedFuture(List.of());
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + agent.host() + ":" + agent.adminPort() + "/wakes"))
                .timeout(TIMEOUT).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                .thenApply(response -> read(agent, response))
                .exceptionally(e -> List.of());
    }

    private static List<String> read(AgentStatus agent, HttpResponse<InputStream> response) {
        try (InputStream body = response.body()) {
            byte[] bytes = body.readNBytes(MAX_BYTES + 1);
            if (response.statusCode() != 200 || bytes.length > MAX_BYTES) {
                return List.of();
            }
            WakeRequests wakes = Json.read("agent " + agent.agentId() + " /wakes", bytes, WakeRequests.class);
            return wakes.services();
        } catch (IOException | CorruptNodeException e) {
            return List.of();
        }
    }
}
