package io.lbmanager.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.lbmanager.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /api/v1/services/{id}/routing} and {@code GET /api/v1/routing} in the dynamic mode,
 * on real parts: ZooKeeper, the manager, two agents with this host's nginx and its Lua balancer,
 * a backend added through the API and one registered with Curator x-discovery, real requests.
 */
class ServiceUpstreamsOnHostTest {

    private static final Duration WITHIN = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension APP = new ManagerExtension(ZK, zk -> ManagerUnderTest.config(zk, "edge"));
    private static final List<HostAgent> agents = new ArrayList<>();
    private static TinyBackend shopBackend;
    private static TinyBackend searchBackend;
    private static ServiceDiscovery<Void> discovery;

    @BeforeAll
    static void start() throws Exception {
        assertThat(APP.get("/api/v1/manager").body().path("upstreams").asText()).as("the manager runs the Lua balancer").isEqualTo("dynamic");
        shopBackend = TinyBackend.answering("shop\n");
        searchBackend = TinyBackend.answering("search\n");
        for (int i = 1; i <= 2; i++) {
            agents.add(HostAgent.start(ZK.connectString(), "/lb-manager", "edge", "agent-" + i, dir.resolve("agent-" + i)));
        }
        put("shop");
        assertThat(APP.postJson("/api/v1/services/shop/upstreams", "{\"host\":\"127.0.0.1\",\"port\":" + shopBackend.port() + "}")
                .status()).isEqualTo(200);
        put("search");
        discovery = ServiceDiscoveryBuilder.builder(Void.class).client(ZK.curator()).basePath("/services").build();
        discovery.start();
        discovery.registerService(ServiceInstance.<Void>builder().id("search-1").name("search").address("127.0.0.1")
                .port(searchBackend.port()).build());
        put("empty");
        for (HostAgent agent : agents) {
            await("agent " + agent.settings.agentId() + " routes /shop and /search", WITHIN,
                    () -> Http.tryGet(agent.trafficPort(), "/shop/x").body().equals("shop\n")
                            && Http.tryGet(agent.trafficPort(), "/search/x").body().equals("search\n"));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        agents.forEach(HostAgent::close);
        if (discovery != null) {
            discovery.close();
        }
        shopBackend.close();
        searchBackend.close();
    }

    @Test
    void everyNginxReportsTheRealPeersItRoutesToWithTheListVersionItConfirmed() throws Exception {
        JsonNode edge = awaitGroup("shop", g -> g.path("agentsCurrent").asInt() == 2);
        assertThat(edge.toString()).doesNotContain("0.0.0.1");
        assertThat(edge.path("mode").asText()).isEqualTo("dynamic");
        assertThat(edge.path("state").asText()).isEqualTo("ROUTED");
        long version = edge.path("peerListVersion").asLong();
        assertThat(version).isPositive();
        assertThat(edge.path("peers")).hasSize(1);
        assertThat(edge.path("peers").get(0).toString())
                .isEqualTo("{\"host\":\"127.0.0.1\",\"port\":" + shopBackend.port() + ",\"weight\":1,\"source\":\"static\"}");
        assertThat(edge.path("agents")).hasSize(2);
        for (JsonNode agent : edge.path("agents")) {
            assertThat(agent.path("current").asBoolean()).isTrue();
            assertThat(agent.path("peerListVersion").asLong()).isEqualTo(version);
            assertThat(agent.path("routesTo")).isEqualTo(edge.path("peers"));
        }

        JsonNode search = awaitGroup("search", g -> g.path("agentsCurrent").asInt() == 2);
        assertThat(search.path("peers").get(0).path("port").asInt()).isEqualTo(searchBackend.port());
        assertThat(search.path("peers").get(0).path("source").asText()).isEqualTo("discovery");
    }

    @Test
    void aServiceWithoutInstancesSaysRequestsGetTheStatusNginxReallyAnswers() throws Exception {
        JsonNode empty = awaitGroup("empty", g -> g.path("agentsCurrent").asInt() == 2);
        assertThat(empty.path("state").asText()).isEqualTo("NO_UPSTREAMS");
        assertThat(empty.path("peers")).isEmpty();
        assertThat(empty.path("message").asText()).isEqualTo("no upstreams: requests get 503");
        for (HostAgent agent : agents) {
            assertThat(Http.get(agent.trafficPort(), "/empty/x").status()).isEqualTo(503);
        }
    }

    @Test
    void requestsAndErrorsPerServiceComeFromTheNginxFleet() throws Exception {
        HostAgent first = agents.get(0);
        JsonNode before = awaitGroup("shop", g -> true);
        long shopBefore = before.path("traffic").path("requests").asLong();
        for (int i = 0; i < 30; i++) {
            assertThat(Http.get(first.trafficPort(), "/shop/x").status()).isEqualTo(200);
        }
        for (int i = 0; i < 10; i++) {
            assertThat(Http.get(first.trafficPort(), "/empty/x").status()).isEqualTo(503);
        }
        JsonNode shop = awaitGroup("shop", g -> g.path("traffic").path("requests").asLong() >= shopBefore + 30);
        assertThat(shop.path("traffic").path("errors").asLong()).isZero();
        JsonNode firstAgent = agentNamed(shop, "agent-1");
        assertThat(firstAgent.path("traffic").path("requests").asLong()).isGreaterThanOrEqualTo(30);

        JsonNode empty = awaitGroup("empty", g -> g.path("traffic").path("errors").asLong() >= 10);
        assertThat(empty.path("traffic").path("requests").asLong()).isEqualTo(empty.path("traffic").path("errors").asLong());
        await("the error rate of empty over the last seconds is 1", WITHIN,
                () -> group("empty").path("traffic").path("errorRate").asDouble() == 1.0);
        assertThat(group("empty").path("traffic").path("requestsPerSecond").asDouble()).isPositive();
    }

    @Test
    void instancesHeldByTheGuardAreShownAsHeldWithTheReason() throws Exception {
        put("flaky");
        List<ServiceInstance<Void>> instances = new ArrayList<>();
        // A mass loss takes more than one service: a neighbour (routed nowhere) loses its instances in the same window.
        // The neighbour's go first, so flaky still has instances when the loss is seen as a mass loss.
        for (String name : List.of("flaky-neighbour", "flaky")) {
            for (int i = 0; i < 3; i++) {
                // Distinct addresses: the guard counts instances by where they route. None gets traffic here.
                ServiceInstance<Void> instance = ServiceInstance.<Void>builder().name(name).address("127.0.0." + (10 + i))
                        .port(searchBackend.port()).build();
                discovery.registerService(instance);
                instances.add(instance);
            }
        }
        // every Nginx reports the three before they go (a report may be up to a second old)
        awaitGroup("flaky", g -> g.path("agentsCurrent").asInt() == 2 && g.path("peers").size() == 3
                && g.path("agents").size() == 2 && everyAgentRoutesTo(g, 3));
        for (ServiceInstance<Void> instance : instances) {
            discovery.unregisterService(instance);
        }
        try {
            JsonNode flaky = awaitGroup("flaky", g -> g.path("state").asText().equals("HELD") && g.path("agentsCurrent").asInt() == 2);
            assertThat(flaky.path("heldReason").asText()).contains("vanished within");
            assertThat(flaky.path("message").asText()).startsWith("held: ");
            assertThat(flaky.path("peers")).hasSize(3).allSatisfy(peer -> assertThat(peer.path("source").asText()).isEqualTo("held"));
            assertThat(flaky.path("agents")).allSatisfy(agent -> assertThat(agent.path("routesTo")).hasSize(3));
        } finally {
            assertThat(APP.postJson("/api/v1/discovery/release-hold", null).status()).isEqualTo(200);
        }
        JsonNode released = awaitGroup("flaky", g -> g.path("state").asText().equals("NO_UPSTREAMS") && g.path("agentsCurrent").asInt() == 2);
        assertThat(released.has("heldReason")).isFalse();
    }

    private static boolean everyAgentRoutesTo(JsonNode group, int peers) {
        for (JsonNode agent : group.path("agents")) {
            if (agent.path("routesTo").size() != peers) {
                return false;
            }
        }
        return true;
    }

    @Test
    void theOverviewListsEveryServiceWithoutPerNginxDetail() throws Exception {
        await("the overview counts both agents for shop", WITHIN, () -> overviewOf("shop").path("groups").get(0)
                .path("agentsCurrent").asInt() == 2);
        JsonNode shop = overviewOf("shop").path("groups").get(0);
        assertThat(shop.has("agents")).isFalse();
        assertThat(shop.path("agentsTotal").asInt()).isEqualTo(2);
        assertThat(overviewOf("empty").path("groups").get(0).path("state").asText()).isEqualTo("NO_UPSTREAMS");
        assertThat(APP.get("/api/v1/services/nope/routing").status()).isEqualTo(404);
    }

    private static JsonNode overviewOf(String id) throws Exception {
        for (JsonNode service : APP.get("/api/v1/routing").body().path("services")) {
            if (service.path("id").asText().equals(id)) {
                return service;
            }
        }
        throw new AssertionError("no " + id + " in /api/v1/routing");
    }

    private static JsonNode agentNamed(JsonNode group, String id) {
        for (JsonNode agent : group.path("agents")) {
            if (agent.path("agentId").asText().equals(id)) {
                return agent;
            }
        }
        throw new AssertionError("no agent " + id + " in " + group);
    }

    private static JsonNode group(String service) throws Exception {
        ManagerExtension.Reply reply = APP.get("/api/v1/services/" + service + "/routing");
        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        return reply.body().path("groups").get(0);
    }

    private static JsonNode awaitGroup(String service, java.util.function.Predicate<JsonNode> condition) throws Exception {
        return await(service + "'s routing as expected", WITHIN, () -> group(service), condition::test);
    }

    private static void put(String id) throws Exception {
        assertThat(APP.putJson("/api/v1/services/" + id, "{\"owners\":[\"" + id + "-team\"],\"basePath\":\"/" + id + "\",\"groups\":[\"edge\"]}")
                .status()).isEqualTo(201);
    }
}
