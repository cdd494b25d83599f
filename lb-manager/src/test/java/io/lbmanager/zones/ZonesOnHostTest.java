package io.lbmanager.zones;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.agent.AgentSettings;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.Load;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Zone-aware routing on real parts: a real ZooKeeper, the manager, two agents with the real nginx
 * of this host, one in zone "east" and one in zone "west", and real backends in both zones
 * registered with Curator x-discovery, their zone in a payload field the service names with
 * {@code zoneField}. Each Nginx keeps to its zone; when a zone's instances die, its Nginx spills to
 * the other zone without a failed request, and comes back when they do.
 */
class ZonesOnHostTest {

    private static final String GROUP = "edge";
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final Set<String> EAST = Set.of("east-1\n", "east-2\n");
    private static final Set<String> WEST = Set.of("west-1\n", "west-2\n");

    @TempDir
    static Path dir;
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static ServiceDiscovery<ZonedPayload> discovery;
    private static RunningManager manager;
    private static HostAgent east;
    private static HostAgent west;
    private static final Map<String, TinyBackend> backends = new LinkedHashMap<>();

    /** What a team's registrant puts in its x-discovery payload; lb-manager reads {@code zone} because the service says so. */
    public static final class ZonedPayload {
        public String team = "shop-team";
        public String zone;

        public ZonedPayload() {
        }

        ZonedPayload(String zone) {
            this.zone = zone;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        discovery = ServiceDiscoveryBuilder.builder(ZonedPayload.class).client(ZK.curator()).basePath("/services").build();
        discovery.start();
        var config = ManagerUnderTest.config(ZK.connectString(), GROUP);
        config.nginx.routing = "lua"; // the default: zones apply to services the Lua router serves
        manager = RunningManager.start(config);
        east = agentIn("east");
        west = agentIn("west");
        assertThat(send("PUT", manager.api("/services/shop"), "{\"owners\":[\"shop\"],\"basePath\":\"/shop\",\"groups\":[\"edge\"],"
                + "\"options\":{\"zoneField\":\"zone\",\"failTimeoutSeconds\":2}}").statusCode()).isEqualTo(201);
        for (String name : new String[] {"east-1", "east-2", "west-1", "west-2"}) {
            TinyBackend backend = TinyBackend.answering(name + "\n");
            backends.put(name, backend);
            discovery.registerService(ServiceInstance.<ZonedPayload>builder().name("shop").address("127.0.0.1").port(backend.port())
                    .payload(new ZonedPayload(name.substring(0, 4))).build());
        }
        // A registrant with a zone that is not one: refused with a reason, its instance routed in no zone.
        TinyBackend unzoned = TinyBackend.answering("unzoned\n");
        backends.put("unzoned", unzoned);
        discovery.registerService(ServiceInstance.<ZonedPayload>builder().name("shop").address("127.0.0.1").port(unzoned.port())
                .payload(new ZonedPayload("East Coast; drop")).build());
        await("both Nginx hold the five peers with their zones", WITHIN, () -> routing().path("groups").path(0).path("agents").size() == 2
                && allAgentsRouteToFivePeers());
    }

    @AfterAll
    static void stop() throws Exception {
        for (HostAgent agent : new HostAgent[] {east, west}) {
            if (agent != null) {
                agent.close();
            }
        }
        if (manager != null) {
            manager.close();
        }
        backends.values().forEach(TinyBackend::close);
        if (discovery != null) {
            discovery.close();
        }
    }

    @Test
    void thePeerListCarriesEachInstancesZoneAndRefusesABadOne() throws Exception {
        Map<Integer, String> zones = new HashMap<>();
        for (JsonNode peer : routing().path("groups").path(0).path("peers")) {
            zones.put(peer.path("port").asInt(), peer.path("zone").isMissingNode() ? "none" : peer.path("zone").asText());
        }
        assertThat(zones).containsEntry(backends.get("east-1").port(), "east").containsEntry(backends.get("east-2").port(), "east")
                .containsEntry(backends.get("west-1").port(), "west").containsEntry(backends.get("west-2").port(), "west")
                .containsEntry(backends.get("unzoned").port(), "none");
        Map<String, String> agentZones = new HashMap<>();
        for (JsonNode agent : routing().path("groups").path(0).path("agents")) {
            agentZones.put(agent.path("agentId").asText(), agent.path("zone").asText());
        }
        assertThat(agentZones).containsEntry("agent-east", "east").containsEntry("agent-west", "west");
        Map<String, String> statusZones = new HashMap<>();
        for (JsonNode agent : json(get(manager.api("/groups/edge/status"))).path("agents")) {
            statusZones.put(agent.path("agentId").asText(), agent.path("zone").asText());
        }
        assertThat(statusZones).as("the group status reports each agent's zone")
                .containsEntry("agent-east", "east").containsEntry("agent-west", "west");
    }

    @Test
    void eachNginxKeepsItsTrafficInItsZoneAndSaysSo() throws Exception {
        // Counters run since Nginx started: another test may have spilled before this one.
        await("both Nginx route in their zone again", WITHIN, () -> EAST.equals(answers(east, 10).keySet())
                && WEST.equals(answers(west, 10).keySet()));
        JsonNode eastBefore = zoneRouting("agent-east");
        JsonNode westBefore = zoneRouting("agent-west");
        for (HostAgent agent : new HostAgent[] {east, west}) {
            Set<String> own = agent == east ? EAST : WEST;
            Map<String, Integer> answers = answers(agent, 40);
            assertThat(answers.keySet()).as("answers of %s", agent.settings.agentId()).isEqualTo(own);
        }
        await("each Nginx counted its 40 requests as local", WITHIN,
                () -> zoneRouting("agent-east").path("local").asLong() >= eastBefore.path("local").asLong() + 40
                        && zoneRouting("agent-west").path("local").asLong() >= westBefore.path("local").asLong() + 40);
        assertThat(zoneRouting("agent-east").path("spilled").asLong()).isEqualTo(eastBefore.path("spilled").asLong());
        assertThat(zoneRouting("agent-west").path("spilled").asLong()).isEqualTo(westBefore.path("spilled").asLong());
    }

    @Test
    void losingHalfAZoneStaysInItAtTheDefaultPanicThresholdOfFiftyPercent() throws Exception {
        await("the east Nginx routes in its zone", WITHIN, () -> EAST.equals(answers(east, 10).keySet()));
        int east1 = backends.get("east-1").port();
        backends.remove("east-1").close();
        try {
            JsonNode before = zoneRouting("agent-east");
            // One of two east peers healthy is 50%, not below the threshold: no request leaves the zone.
            assertThat(answers(east, 40)).as("answers of the east Nginx").isEqualTo(Map.of("east-2\n", 40));
            await("the east Nginx counted them as local", WITHIN,
                    () -> zoneRouting("agent-east").path("local").asLong() >= before.path("local").asLong() + 40);
            assertThat(zoneRouting("agent-east").path("spilled").asLong()).isEqualTo(before.path("spilled").asLong());
        } finally {
            backends.put("east-1", TinyBackend.answeringOn(east1, "east-1\n"));
        }
    }

    @Test
    void aZoneWhoseInstancesDieSpillsToTheOtherWithoutAFailedRequestAndTrafficComesBack() throws Exception {
        int east1 = backends.get("east-1").port();
        int east2 = backends.get("east-2").port();
        try (Load load = Load.toPorts(() -> java.util.List.of(east.trafficPort())).path("/shop/x").senders(2)
                .maxRequests(20_000).maxTime(Duration.ofSeconds(90)).start()) {
            await("100 requests through the east Nginx", WITHIN, () -> load.sent() >= 100);
            backends.remove("east-1").close();
            backends.remove("east-2").close();

            // Spilled: spread over every other peer by weight, the one in no known zone included.
            Set<String> elsewhere = Set.of("west-1\n", "west-2\n", "unzoned\n");
            await("the east Nginx answers from outside its zone only", WITHIN, () -> elsewhere.containsAll(answers(east, 10).keySet()));
            await("the routing view counts spilled requests", WITHIN, () -> zoneRouting("agent-east").path("spilled").asLong() > 0);
            int sentWhileSpilling = load.sent();

            backends.put("east-1", TinyBackend.answeringOn(east1, "east-1\n"));
            backends.put("east-2", TinyBackend.answeringOn(east2, "east-2\n"));
            await("the east Nginx answers from its zone again", WITHIN, () -> EAST.equals(answers(east, 10).keySet()));
            load.stop();
            assertThat(load.sent()).as("requests while the zone was down and after").isGreaterThan(sentWhileSpilling);
            assertThat(load.failed()).as("failed requests: %s", load.firstFailures()).isZero();
        }
        assertThat(answers(west, 20).keySet()).as("the west Nginx never left its zone").isEqualTo(WEST);
    }

    private static HostAgent agentIn(String zone) throws Exception {
        int trafficPort = Http.freePort();
        int adminPort = Http.freePort();
        while (adminPort == trafficPort) {
            adminPort = Http.freePort();
        }
        return HostAgent.startWith(new AgentSettings(ZK.connectString(), "/lb-manager", GROUP, "agent-" + zone, "127.0.0.1",
                trafficPort, adminPort, HostAgent.NGINX, dir.resolve("agent-" + zone), null, null, AgentSettings.DEFAULT_USAGE_INTERVAL,
                zone));
    }

    private static boolean allAgentsRouteToFivePeers() throws Exception {
        for (JsonNode agent : routing().path("groups").path(0).path("agents")) {
            if (agent.path("routesTo").size() != 5 || !agent.path("current").asBoolean()) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Integer> answers(HostAgent agent, int requests) {
        Map<String, Integer> answers = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            Http.Response response = Http.tryGet(agent.trafficPort(), "/shop/x");
            answers.merge(response.status() == 200 ? response.body() : "status " + response.status(), 1, Integer::sum);
        }
        return answers;
    }

    private static JsonNode zoneRouting(String agentId) throws Exception {
        for (JsonNode agent : routing().path("groups").path(0).path("agents")) {
            if (agent.path("agentId").asText().equals(agentId)) {
                return agent.path("zoneRouting");
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static JsonNode routing() throws Exception {
        return json(get(manager.api("/services/shop/routing")));
    }
}
