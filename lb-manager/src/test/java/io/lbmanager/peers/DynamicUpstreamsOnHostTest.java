package io.lbmanager.peers;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.Load;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upstream membership and weight changes through the Lua balancer, on real parts: a real
 * ZooKeeper server, the manager, two agents with the real nginx of this host (with
 * libnginx-mod-http-lua), real backends registered with Curator x-discovery, real HTTP.
 * "Without a reload" is checked three ways: the group's config version, every agent's apply
 * count and every Nginx master's pid stay the same.
 */
class DynamicUpstreamsOnHostTest {

    private static final String GROUP = "edge";
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final ZkLayout LAYOUT = new ZkLayout("/lb-manager");

    @TempDir
    static Path dir;
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static CuratorFramework client;
    private static ServiceDiscovery<WeightedPayload> discovery;
    private static RunningManager manager;
    private static final List<HostAgent> agents = new ArrayList<>();
    private static final List<TinyBackend> backends = new ArrayList<>();
    private final List<ServiceInstance<WeightedPayload>> registered = new ArrayList<>();

    /** What a team's registrant puts in its x-discovery payload; lb-manager reads only {@code weight}. */
    public static final class WeightedPayload {
        public String team = "shop-team";
        public int weight = 1;

        public WeightedPayload() {
        }

        WeightedPayload(int weight) {
            this.weight = weight;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        client = ZK.curator();
        discovery = ServiceDiscoveryBuilder.builder(WeightedPayload.class).client(client).basePath("/services").build();
        discovery.start();
        manager = RunningManager.start(ManagerUnderTest.config(ZK.connectString(), GROUP));
        for (int i = 1; i <= 3; i++) {
            backends.add(TinyBackend.answering("b" + i + "\n"));
        }
        for (int i = 1; i <= 2; i++) {
            agents.add(HostAgent.start(ZK.connectString(), "/lb-manager", GROUP, "agent-" + i, dir.resolve("agent-" + i)));
        }
        assertThat(send("PUT", api("/services/shop"), "{\"owners\":[\"shop\"],\"basePath\":\"/shop\",\"groups\":[\"edge\"]}")
                .statusCode()).isEqualTo(201);
        awaitEveryNginx("the shop route exists and answers no_upstreams", "/shop/x", r -> r.status() == 503 && r.body().contains("no_upstreams"));
    }

    @AfterAll
    static void stop() throws Exception {
        agents.forEach(HostAgent::close);
        manager.close();
        backends.forEach(TinyBackend::close);
        discovery.close();
    }

    @AfterEach
    void unregister() throws Exception {
        for (ServiceInstance<WeightedPayload> instance : registered) {
            discovery.unregisterService(instance);
        }
        // Instances of earlier tests vanished within the guard's window too: release any hold that makes.
        assertThat(send("POST", api("/discovery/release-hold"), null).statusCode()).isEqualTo(200);
        awaitEveryNginx("shop has no peers again", "/shop/x", r -> r.status() == 503);
    }

    @Test
    void managerAndAgentsSayUpstreamsAreDynamic() throws Exception {
        assertThat(json(get(api("/manager"))).path("upstreams").asText()).isEqualTo("dynamic");
        for (HostAgent agent : agents) {
            await("agent " + agent.settings.agentId() + " reports dynamic upstreams", WITHIN,
                    () -> AgentStatus.UPSTREAMS_DYNAMIC.equals(agent.agent.status().upstreams()));
        }
        JsonNode config = json(get(api("/groups/edge/config")));
        assertThat(config.toString()).contains("balancer_by_lua_block").doesNotContain("127.0.0.1:" + backends.get(0).port());
    }

    @Test
    void membershipChangesReachEveryNginxWithoutAReload() throws Exception {
        register(0, 1);
        awaitEveryNginx("b1 serves shop", "/shop/x", r -> r.status() == 200 && r.body().equals("b1\n"));
        Unreloaded before = Unreloaded.now();

        register(1, 1);
        awaitEveryNginxAnswers("b1 and b2 both serve shop", Map.of("b1\n", 1, "b2\n", 1));
        discovery.unregisterService(registered.remove(0));
        awaitEveryNginxAnswersOnly("only b2 serves shop", "b2\n");
        for (HostAgent agent : agents) {
            for (int i = 0; i < 10; i++) {
                assertThat(Http.get(agent.trafficPort(), "/shop/x").body()).isEqualTo("b2\n");
            }
        }
        before.assertNoReloadSince();
    }

    @Test
    void aWeightChangeShiftsTrafficWithoutAReload() throws Exception {
        register(0, 1);
        register(1, 1);
        awaitEveryNginxAnswers("b1 and b2 both serve shop", Map.of("b1\n", 1, "b2\n", 1));
        Unreloaded before = Unreloaded.now();

        ServiceInstance<WeightedPayload> heavier = ServiceInstance.<WeightedPayload>builder().id(registered.get(1).getId())
                .name("shop").address("127.0.0.1").port(backends.get(1).port()).payload(new WeightedPayload(3)).build();
        discovery.updateService(heavier);
        await("the peer list carries weight 3", WITHIN, () -> PeerBucket.readOne(client, LAYOUT, GROUP, "shop").orElseThrow()
                .list().peers().stream().anyMatch(peer -> peer.weight() == 3));
        Map<String, Integer> counts = new HashMap<>();
        HostAgent agent = agents.get(0);
        for (int i = 0; i < 80; i++) {
            counts.merge(Http.get(agent.trafficPort(), "/shop/x").body(), 1, Integer::sum);
        }
        // Smooth weighted round robin per worker: 1 of every 4 picks is b1, whichever worker takes a request.
        assertThat(counts.getOrDefault("b1\n", 0)).as("b1 answers in %s", counts).isBetween(14, 26);
        assertThat(counts.getOrDefault("b2\n", 0)).as("b2 answers in %s", counts).isBetween(54, 66);
        before.assertNoReloadSince();
    }

    @Test
    void aDeadPeerIsSkippedAndNoRequestFails() throws Exception {
        TinyBackend doomed = TinyBackend.answering("doomed\n");
        int doomedPort = doomed.port();
        register(1, 1);
        registered.add(registerAt(doomedPort, 1));
        awaitEveryNginxAnswers("b2 and the doomed backend both serve shop", Map.of("b2\n", 1, "doomed\n", 1));
        doomed.close();

        try (Load load = Load.toPorts(DynamicUpstreamsOnHostTest::trafficPorts).path("/shop/x").maxRequests(400)
                .maxTime(Duration.ofSeconds(30)).start()) {
            await("300 requests sent", WITHIN, () -> load.sent() >= 300);
            load.stop();
            assertThat(load.failed()).as("failed requests: %s", load.firstFailures()).isZero();
        }
    }

    @Test
    void nginxRestartedAfterACrashGetsEveryPeerListAgain() throws Exception {
        register(2, 1);
        awaitEveryNginx("b3 serves shop", "/shop/x", r -> r.body().equals("b3\n"));
        HostAgent agent = agents.get(1);
        long pid = masterPid(agent);
        ProcessHandle master = ProcessHandle.of(pid).orElseThrow();
        List<ProcessHandle> workers = master.descendants().toList();
        List<String> servedWhileReady = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean watching = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            // An upstream LB sends traffic as soon as /ready says so: every answer then must come from a peer.
            long deadline = System.nanoTime() + WITHIN.toNanos();
            while (watching.get() && System.nanoTime() < deadline) {
                if (agent.agent.readiness().ready()) {
                    Http.Response response = Http.tryGet(agent.trafficPort(), "/shop/x");
                    servedWhileReady.add(response.status() + " " + response.body().strip());
                } else {
                    Thread.onSpinWait();
                }
            }
        }, "readiness-watcher");
        master.destroyForcibly(); // first, or it forks a new worker for each one killed
        workers.forEach(ProcessHandle::destroyForcibly);
        watcher.start();
        try {
            await("the agent restarted nginx", WITHIN, () -> masterPid(agent) != pid && agent.agent.readiness().ready());
            Thread.sleep(200);
        } finally {
            watching.set(false);
            watcher.join(5_000);
        }
        assertThat(Http.get(agent.trafficPort(), "/shop/x").body()).isEqualTo("b3\n");
        assertThat(servedWhileReady).as("answers while the agent said ready").isNotEmpty()
                .allMatch(answer -> answer.equals("200 b3"), "came from the peer b3");
    }

    @Test
    void aMalformedPeerNodeIsRefusedByTheAgentWhichKeepsThePreviousList() throws Exception {
        register(0, 1);
        awaitEveryNginx("b1 serves shop", "/shop/x", r -> r.body().equals("b1\n"));
        // Written behind the leader's back: it rewrites the node on the next change of shop, not before.
        String bucket = PeerBucket.name(PeerBucket.of("shop"));
        client.setData().forPath(LAYOUT.groupPeerBucket(GROUP, bucket),
                "{\"lists\":[{\"service\":\"shop\",\"peers\":[{\"host\":\"evil.example;\",\"port\":80}]}]}".getBytes(StandardCharsets.UTF_8));

        for (HostAgent agent : agents) {
            await("agent " + agent.settings.agentId() + " names the bad node", WITHIN,
                    () -> agent.agent.status().peerError() != null && agent.agent.status().peerError().contains("peer-buckets/" + bucket));
            assertThat(agent.agent.status().peerError()).contains("lists[0].peers[0]");
            assertThat(Http.get(agent.trafficPort(), "/shop/x").body()).isEqualTo("b1\n");
        }
        register(1, 1);
        awaitEveryNginxAnswers("the leader's next write repairs the list", Map.of("b1\n", 1, "b2\n", 1));
    }

    @Test
    void thePeersEndpointTakesOnlyTheUnixSocketAndRefusesAMalformedBatchWhole() throws Exception {
        register(0, 1);
        awaitEveryNginxAnswersOnly("b1 serves shop", "b1\n");
        HostAgent agent = agents.get(0);

        assertThat(Http.get(agent.trafficPort(), "/_lbm/peers").status()).as("over TCP").isEqualTo(403);
        try (NginxPeersEndpoint endpoint = new NginxPeersEndpoint(agent.settings.runtimeDir().resolve("run/peers.sock"), WITHIN)) {
            NginxPeersEndpoint.Answer answer = endpoint.post("shop 127.0.0.1:" + backends.get(1).port() + ":1\n"
                    + "cart backend.internal:80:1\n");
            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.body()).contains("service cart", "backend.internal:80:1", "is not ipv4:port:weight");
        }
        for (int i = 0; i < 8; i++) {
            assertThat(Http.get(agent.trafficPort(), "/shop/x").body()).as("the valid first line was not applied either").isEqualTo("b1\n");
        }
    }

    @Test
    void aMassExpiryIsHeldInThePeerListsUntilAnOperatorReleasesIt() throws Exception {
        try (TinyBackend fourth = TinyBackend.answering("b4\n")) {
            for (int i = 0; i < 3; i++) {
                register(i, 1);
            }
            registered.add(registerAt(fourth.port(), 1));
            // A mass loss takes more than one service: a neighbour (routed nowhere) loses its instances in the same window.
            for (int i = 0; i < 4; i++) {
                ServiceInstance<WeightedPayload> neighbour = ServiceInstance.<WeightedPayload>builder()
                        .name("shop-neighbour").address("127.0.0.1").port(fourth.port()).payload(new WeightedPayload(1)).build();
                discovery.registerService(neighbour);
                registered.add(neighbour);
            }
            awaitEveryNginxAnswers("all four serve shop", Map.of("b1\n", 1, "b2\n", 1, "b3\n", 1, "b4\n", 1));

            for (ServiceInstance<WeightedPayload> instance : registered) {
                discovery.unregisterService(instance);
            }
            registered.clear();
            // The count may include instances earlier tests removed within the guard's window, so only the kind of hold is checked.
            await("the group reports shop held", WITHIN, () -> json(get(api("/groups/edge/status"))).path("status").path("held")
                    .path("shop").asText().contains("discovered instances of 2 services vanished within"));
            Thread.sleep(300);
            assertThat(PeerBucket.readOne(client, LAYOUT, GROUP, "shop").orElseThrow().list().peers())
                    .extracting(Upstream::port).contains(fourth.port());
            for (HostAgent agent : agents) {
                assertThat(Http.get(agent.trafficPort(), "/shop/x").status()).as("held peers still serve").isEqualTo(200);
            }

            assertThat(send("POST", api("/discovery/release-hold"), null).statusCode()).isEqualTo(200);
            awaitEveryNginx("the emptying applies after the release", "/shop/x", r -> r.status() == 503);
        }
    }

    private void register(int backend, int weight) throws Exception {
        registered.add(registerAt(backends.get(backend).port(), weight));
    }

    private static ServiceInstance<WeightedPayload> registerAt(int port, int weight) throws Exception {
        ServiceInstance<WeightedPayload> instance = ServiceInstance.<WeightedPayload>builder()
                .name("shop").address("127.0.0.1").port(port).payload(new WeightedPayload(weight)).build();
        discovery.registerService(instance);
        return instance;
    }

    private static long masterPid(HostAgent agent) throws Exception {
        return Long.parseLong(Files.readString(agent.settings.runtimeDir().resolve("run/nginx.pid")).strip());
    }

    private static List<Integer> trafficPorts() {
        return agents.stream().map(HostAgent::trafficPort).toList();
    }

    private static void awaitEveryNginx(String what, String path, java.util.function.Predicate<Http.Response> condition) throws Exception {
        for (HostAgent agent : agents) {
            await(what + " on " + agent.settings.agentId(), WITHIN, () -> condition.test(Http.tryGet(agent.trafficPort(), path)));
        }
    }

    /** Until each Nginx has answered every one of the bodies within a few requests. */
    private static void awaitEveryNginxAnswers(String what, Map<String, Integer> bodies) throws Exception {
        for (HostAgent agent : agents) {
            await(what + " on " + agent.settings.agentId(), WITHIN, () -> {
                Map<String, Integer> seen = new HashMap<>();
                for (int i = 0; i < 8; i++) {
                    seen.merge(Http.tryGet(agent.trafficPort(), "/shop/x").body(), 1, Integer::sum);
                }
                return seen.keySet().containsAll(bodies.keySet());
            });
        }
    }

    /** Until 8 requests in a row to each Nginx are answered with the body. */
    private static void awaitEveryNginxAnswersOnly(String what, String body) throws Exception {
        for (HostAgent agent : agents) {
            await(what + " on " + agent.settings.agentId(), WITHIN, () -> {
                for (int i = 0; i < 8; i++) {
                    if (!Http.tryGet(agent.trafficPort(), "/shop/x").body().equals(body)) {
                        return false;
                    }
                }
                return true;
            });
        }
    }

    private static String api(String path) {
        return manager.api(path);
    }

    /** The group's config version, each agent's apply count and each Nginx master pid at one moment. */
    private record Unreloaded(long targetVersion, List<Long> applies, List<Long> masterPids) {

        static Unreloaded now() throws Exception {
            List<Long> applies = new ArrayList<>();
            List<Long> pids = new ArrayList<>();
            for (HostAgent agent : agents) {
                applies.add(agent.agent.status().applies());
                pids.add(masterPid(agent));
            }
            return new Unreloaded(currentTargetVersion(), applies, pids);
        }

        static long currentTargetVersion() throws Exception {
            return json(get(api("/groups/edge/status"))).path("target").path("version").asLong();
        }

        void assertNoReloadSince() throws Exception {
            assertThat(now()).as("config version, applies per agent, nginx master pids").isEqualTo(this);
            assertThat(targetVersion).isPositive();
        }
    }
}
