package io.lbmanager.peers;

import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.AgentUpstreams;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * On the manager, for the status API: each agent's {@code GET /upstreams} (what its Nginx routes
 * to, with counters), asked of all agents of a group at once, over HTTP to the host and admin port
 * of its status node. An answer is reused for {@link #REUSE}, so however many pages poll, an agent
 * is asked at most about once a second. Nothing is written anywhere.
 */
public final class AgentReports {

    /** An agent's answer, or why there is none. */
    public record Report(AgentUpstreams upstreams, String error) {
    }

    static final Duration REUSE = Duration.ofSeconds(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final int MAX_BYTES = 16 * 1024 * 1024;
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[?[0-9A-Fa-f:.]{2,45}]?");

    private record Cached(long atNanos, Report report) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
    private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();

    /** The report of each agent, by agent id, in the order given. */
    public Map<String, Report> of(List<AgentStatus> agents) {
        Map<String, CompletableFuture<Report>> asked = new LinkedHashMap<>();
        for (AgentStatus agent : agents) {
            asked.put(agent.agentId(), reportOf(agent));
        }
        Map<String, Report> reports = new LinkedHashMap<>();
        asked.forEach((id, report) -> reports.put(id, report.join()));
        return reports;
    }

    private CompletableFuture<Report> reportOf(AgentStatus agent) {
        String key = agent.group() + "/" + agent.agentId() + "@" + agent.host() + ":" + agent.adminPort();
        Cached cached = cache.get(key);
        if (cached != null && System.nanoTime() - cached.atNanos() < REUSE.toNanos()) {
            return CompletableFuture.completedFuture(cached.report());
        }
        if (agent.host() == null || !HOST.matcher(agent.host()).matches() || agent.adminPort() < 1 || agent.adminPort() > 65535) {
            return CompletableFuture.completedFuture(new Report(null, "the agent's status node has no usable admin address"));
        }
        String host = agent.host().contains(":") && !agent.host().startsWith("[") ? "[" + agent.host() + "]" : agent.host();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + agent.adminPort() + "/upstreams"))
                .timeout(TIMEOUT).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                .thenApply(response -> read(agent, response))
                .exceptionally(e -> new Report(null, "agent " + agent.agentId() + " did not answer on " + host + ":" + agent.adminPort()
                        + ": " + rootMessage(e)))
                .thenApply(report -> {
                    cache.keySet().removeIf(k -> k.startsWith(agent.group() + "/" + agent.agentId() + "@") && !k.equals(key));
                    cache.put(key, new Cached(System.nanoTime(), report));
                    return report;
                });
    }

    private static Report read(AgentStatus agent, HttpResponse<InputStream> response) {
        try (InputStream body = response.body()) {
            byte[] bytes = body.readNBytes(MAX_BYTES + 1);
            if (response.statusCode() != 200) {
                return new Report(null, "agent " + agent.agentId() + " answered " + response.statusCode() + " on /upstreams");
            }
            if (bytes.length > MAX_BYTES) {
                return new Report(null, "agent " + agent.agentId() + " answered more than " + MAX_BYTES + " bytes on /upstreams");
            }
            return new Report(Json.read("agent " + agent.agentId() + " /upstreams", bytes, AgentUpstreams.class), null);
        } catch (IOException | CorruptNodeException e) {
            return new Report(null, "agent " + agent.agentId() + " answered something unreadable on /upstreams: " + e.getMessage());
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
