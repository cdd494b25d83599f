package io.lbmanager.usage;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.agent.AgentSettings;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chargeback on real parts: a real ZooKeeper, the manager, two agents with the real nginx of this
 * host (Lua balancer) and real backends. Every request the test sends goes over a raw socket, so it
 * knows each one's exact bytes in ($request_length) and out ($bytes_sent); the manager's usage
 * report must match them exactly per service and team after an Nginx reload and an agent restart
 * (which restarts its Nginx: the counters start again from 0 under a new epoch).
 */
class UsageOnHostTest {

    private static final String GROUP = "edge";
    private static final Duration WITHIN = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final Map<String, Sent> sent = new TreeMap<>();
    private RunningManager manager;

    /** What the test sent to one service: requests, their bytes both ways, 5xx answers. */
    private static final class Sent {
        long requests;
        long bytesIn;
        long bytesOut;
        long errors5xx;
    }

    public static final class Payload {
        public String team = "any";
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    @Test
    void knownTrafficIsAccountedExactlyPerServiceAndTeamAcrossAReloadAndAnAgentRestart() throws Exception {
        ServiceDiscovery<Payload> discovery = ServiceDiscoveryBuilder.builder(Payload.class).client(ZK.curator()).basePath("/services").build();
        discovery.start();
        closing.add(discovery);
        var config = ManagerUnderTest.config(ZK.connectString(), GROUP);
        config.usage.pricePerMillionRequests = 1_000_000; // 1 per request: the cost is the request count
        config.nginx.routing = "lua"; // the default: requests the Lua router routes are counted
        manager = RunningManager.start(config);
        closing.add(manager);
        TinyBackend shopBackend = TinyBackend.answering("s".repeat(100));
        TinyBackend cartBackend = TinyBackend.answering("c".repeat(300));
        closing.add(shopBackend);
        closing.add(cartBackend);
        List<HostAgent> agents = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            HostAgent agent = HostAgent.startWith(settings("agent-" + i));
            agents.add(agent);
        }
        closing.add(() -> agents.forEach(HostAgent::close));
        long started = System.currentTimeMillis();
        putService("shop", "team-a");
        putService("cart", "team-b");
        register(discovery, "shop", shopBackend.port());

        for (HostAgent agent : agents) {
            await("shop answers on " + agent.settings.agentId(), WITHIN, () -> request(agent, "GET", "/shop/x", 0, 0) == 200);
            await("cart has no upstreams on " + agent.settings.agentId(), WITHIN, () -> request(agent, "GET", "/cart/x", 0, 0) == 503);
        }
        traffic(agents, 0);

        register(discovery, "cart", cartBackend.port());
        for (HostAgent agent : agents) {
            await("cart answers on " + agent.settings.agentId(), WITHIN, () -> request(agent, "GET", "/cart/x", 0, 0) == 200);
        }
        long[] pids = {masterPid(agents.get(0)), masterPid(agents.get(1))};
        long[] applies = {agents.get(0).agent.status().applies(), agents.get(1).agent.status().applies()};
        putService("extra", "team-c", "{\"clientMaxBodySizeMb\":7}"); // a new option profile: every Nginx reloads
        for (int i = 0; i < 2; i++) {
            HostAgent agent = agents.get(i);
            long before = applies[i];
            await("agent-" + (i + 1) + " applied the new version", WITHIN, () -> agent.agent.status().applies() > before
                    && agent.agent.readiness().ready());
            assertThat(masterPid(agent)).as("a reload keeps the master (and the shared dicts)").isEqualTo(pids[i]);
        }
        traffic(agents, 7);

        HostAgent restarted = agents.get(0);
        traffic(List.of(restarted), 11); // counted only by the agent's last reading as it stops its Nginx
        restarted.close();
        agents.set(0, HostAgent.startWith(restarted.settings));
        await("the restarted agent serves again", WITHIN, () -> agents.get(0).agent.readiness().ready());
        assertThat(masterPid(agents.get(0))).as("a new Nginx").isNotEqualTo(pids[0]);
        traffic(agents, 13);

        String from = Instant.ofEpochMilli(started - 1000).toString();
        JsonNode byService = await("the report matches what was sent: " + expected(), WITHIN,
                () -> json(get(manager.api("/usage?by=service&from=" + from))),
                report -> matches(report, "shop", sent.get("shop")) && matches(report, "cart", sent.get("cart")));
        assertThat(line(byService, "cart").path("noUpstream").asLong()).as("cart's 503s before it had an instance")
                .isEqualTo(sent.get("cart").errors5xx).isPositive();
        assertThat(line(byService, "extra").isMissingNode()).as("no traffic, no line").isTrue();
        assertThat(line(byService, "shop").path("upstreamMs").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(line(byService, "shop").path("cost").path("requests").asDouble()).isEqualTo(sent.get("shop").requests);

        JsonNode byTeam = json(get(manager.api("/usage?by=team&from=" + from)));
        assertThat(matches(byTeam, "team-a", sent.get("shop"))).as("team-a is shop: %s", byTeam).isTrue();
        assertThat(matches(byTeam, "team-b", sent.get("cart"))).as("team-b is cart: %s", byTeam).isTrue();
        JsonNode teamA = json(get(manager.api("/usage?by=service&team=team-a&from=" + from)));
        assertThat(teamA.path("lines")).hasSize(1);
        assertThat(teamA.path("total").path("requests").asLong()).isEqualTo(sent.get("shop").requests);
        JsonNode byGroup = json(get(manager.api("/usage?by=group&from=" + from)));
        assertThat(line(byGroup, GROUP).path("requests").asLong()).isEqualTo(sent.get("shop").requests + sent.get("cart").requests);

        HttpResponse<String> csv = send("GET", manager.api("/usage?by=team&format=csv&from=" + from), null);
        assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        assertThat(csv.body()).startsWith("key,requests,bytes_in,bytes_out")
                .contains("team-a," + sent.get("shop").requests + "," + sent.get("shop").bytesIn + "," + sent.get("shop").bytesOut + ",");
        JsonNode hourly = json(get(manager.api("/usage/hourly?from=" + from)));
        assertThat(hourly.path("hours")).isNotEmpty();
        assertThat(send("GET", manager.api("/usage?by=colour"), null).body()).contains("\"field\":\"by\"");
    }

    /** Requests of known, varied sizes to both services on every Nginx; {@code seed} varies the sizes per phase. */
    private void traffic(List<HostAgent> agents, int seed) throws IOException {
        for (HostAgent agent : agents) {
            for (int i = 0; i < 12; i++) {
                request(agent, "GET", "/shop/item-" + i, (seed + i) * 37 % 500, 0);
                request(agent, "POST", "/shop/cart", 0, 200 + (seed + i) * 53 % 3000);
                request(agent, "GET", "/cart/x?page=" + i, (seed * i) % 97, 0);
            }
        }
    }

    /** Sends one request on a fresh connection and books its exact bytes both ways under the service of its path, once routed. */
    private int request(HostAgent agent, String method, String path, int padding, int bodyBytes) throws IOException {
        String service = path.substring(1, path.indexOf('/', 1));
        byte[] body = "b".repeat(bodyBytes).getBytes(StandardCharsets.US_ASCII);
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + (padding > 0 ? "X-Padding: " + "p".repeat(padding) + "\r\n" : "")
                + (bodyBytes > 0 ? "Content-Length: " + bodyBytes + "\r\n" : "") + "\r\n";
        byte[] answer;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", agent.trafficPort()), 2_000);
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            answer = readToEnd(socket.getInputStream());
        }
        String statusLine = new String(answer, 0, Math.min(answer.length, 40), StandardCharsets.US_ASCII);
        int status = statusLine.startsWith("HTTP/1.1 ") ? Integer.parseInt(statusLine.substring(9, 12)) : 0;
        if (status == 404) {
            return status; // Nginx has no route for the service yet (the backends never answer 404): not the service's traffic
        }
        Sent total = sent.computeIfAbsent(service, s -> new Sent());
        total.requests++;
        total.bytesIn += head.length() + body.length;
        total.bytesOut += answer.length;
        if (status >= 500) {
            total.errors5xx++;
        }
        return status;
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    private static boolean matches(JsonNode report, String key, Sent expected) {
        JsonNode line = line(report, key);
        return line.path("requests").asLong() == expected.requests && line.path("bytesIn").asLong() == expected.bytesIn
                && line.path("bytesOut").asLong() == expected.bytesOut && line.path("errors5xx").asLong() == expected.errors5xx;
    }

    private static JsonNode line(JsonNode report, String key) {
        for (JsonNode line : report.path("lines")) {
            if (line.path("key").asText().equals(key)) {
                return line;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private String expected() {
        StringBuilder text = new StringBuilder();
        sent.forEach((service, s) -> text.append(service).append(" requests=").append(s.requests).append(" in=").append(s.bytesIn)
                .append(" out=").append(s.bytesOut).append(" 5xx=").append(s.errors5xx).append("; "));
        return text.toString();
    }

    private AgentSettings settings(String agentId) {
        int traffic = Http.freePort();
        int admin = Http.freePort();
        while (admin == traffic) {
            admin = Http.freePort();
        }
        return new AgentSettings(ZK.connectString(), ZkLayout.DEFAULT_ROOT, GROUP, agentId, "127.0.0.1", traffic, admin, HostAgent.NGINX,
                dir.resolve(agentId), null, null, Duration.ofMillis(300));
    }

    private void putService(String id, String team) throws Exception {
        putService(id, team, "{}");
    }

    private void putService(String id, String team, String options) throws Exception {
        assertThat(send("PUT", manager.api("/services/" + id), "{\"owners\":[\"" + team + "\"],\"basePath\":\"/" + id
                + "\",\"groups\":[\"" + GROUP + "\"],\"options\":" + options + "}").statusCode()).isEqualTo(201);
    }

    private static void register(ServiceDiscovery<Payload> discovery, String name, int port) throws Exception {
        discovery.registerService(ServiceInstance.<Payload>builder().name(name).address("127.0.0.1").port(port).payload(new Payload()).build());
    }

    private static long masterPid(HostAgent agent) throws IOException {
        return Long.parseLong(Files.readString(agent.settings.runtimeDir().resolve("run/nginx.pid")).strip());
    }
}
