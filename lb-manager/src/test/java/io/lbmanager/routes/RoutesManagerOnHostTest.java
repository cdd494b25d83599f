package io.lbmanager.routes;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.peers.LuaBalancerProbe;
import io.lbmanager.render.Fixtures;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole path of a new service with {@code nginx.routing: lua}, on real parts: the manager, a
 * real ZooKeeper, two agents with this host's real nginx. A service with a known option profile
 * reaches both Nginx through a routing-table version (no config version, no apply, same master
 * pids), and the status API says which path each change took.
 */
class RoutesManagerOnHostTest {

    private static final Duration WITHIN = Duration.ofSeconds(40);

    @TempDir
    static Path dir;
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static RunningManager manager;
    private static final List<HostAgent> agents = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Fixtures.nginxInstalled() && LuaBalancerProbe.missingModule(UpstreamMode.DEBIAN_MODULES_DIR).isEmpty(),
                "skipped: this host has no nginx with libnginx-mod-http-lua (apt-get install nginx libnginx-mod-http-lua lua-resty-core)");
        LbManagerConfiguration config = ManagerUnderTest.config(ZK.connectString(), "edge");
        config.nginx.routing = "lua";
        manager = RunningManager.start(config);
        for (int i = 1; i <= 2; i++) {
            agents.add(HostAgent.start(ZK.connectString(), "/lb-manager", "edge", "agent-" + i, dir.resolve("agent-" + i)));
        }
    }

    @AfterAll
    static void stop() {
        agents.forEach(HostAgent::close);
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void aNewServiceWithAKnownProfileIsARoutesVersionWithNoReload() throws Exception {
        JsonNode first = putAndAwaitRouted("shop");
        long configVersion = first.path("target").path("version").asLong();
        List<Long> applies = applies();
        List<Long> pids = masterPids();
        long routesBefore = first.path("routes").path("live").path("version").asLong();

        putService("cart", "/cart");
        awaitEveryNginx("/cart/x");
        JsonNode after = awaitRoutesLiveAfter(routesBefore);

        assertThat(after.path("target").path("version").asLong()).as("config version").isEqualTo(configVersion);
        assertThat(applies()).as("applies (reloads) per agent").isEqualTo(applies);
        assertThat(masterPids()).as("nginx master pids").isEqualTo(pids);
        JsonNode history = json(get(manager.api("/groups/edge/rollouts")));
        assertThat(history.get(0).path("kind").asText()).isEqualTo("ROUTES");
        assertThat(history.get(0).path("state").asText()).isEqualTo("SUCCEEDED");
        JsonNode routing = json(get(manager.api("/services/cart/routing")));
        assertThat(routing.path("groups").get(0).path("state").asText()).as("routing view of a routed service without instances")
                .isEqualTo("NO_UPSTREAMS");
        for (HostAgent agent : agents) {
            assertThat(Http.get(agent.trafficPort(), "/shop/x").status()).as("shop still routed").isEqualTo(503);
        }
    }

    @Test
    void aValidateCallProposingANewProfileLeavesTheConfigAsItIs() throws Exception {
        JsonNode before = putAndAwaitRouted("orders");
        long configVersion = before.path("target").path("version").asLong();
        List<Long> applies = applies();

        var verdict = send("POST", manager.api("/validate"), "{\"serviceId\":\"uploads\",\"service\":{\"owners\":[\"uploads\"],"
                + "\"basePath\":\"/uploads\",\"groups\":[\"edge\"],\"options\":{\"clientMaxBodySizeMb\":777}}}");
        assertThat(verdict.statusCode()).as(verdict.body()).isEqualTo(200);
        long routesBefore = before.path("routes").path("live").path("version").asLong();
        putService("payments", "/payments");
        awaitEveryNginx("/payments/x");
        awaitRoutesLiveAfter(routesBefore);
        Thread.sleep(1_500); // past the pipeline's quiet period: a render after the PUT has run

        JsonNode after = json(get(manager.api("/groups/edge/status")));
        assertThat(after.path("target").path("version").asLong()).as("config version: the proposal's profile was not published")
                .isEqualTo(configVersion);
        assertThat(applies()).as("applies (reloads) per agent").isEqualTo(applies);
    }

    @Test
    void fiftyServicesPutAtOnceReachEveryNginxInOneRoutesVersion() throws Exception {
        JsonNode before = putAndAwaitRouted("catalog");
        long routesBefore = before.path("routes").path("live").path("version").asLong();
        List<Long> applies = applies();
        List<String> ids = java.util.stream.IntStream.rangeClosed(1, 50).mapToObj(i -> "burst" + i).toList();
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(ids.size());
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        try {
            List<java.util.concurrent.Future<?>> puts = new ArrayList<>();
            for (String id : ids) {
                puts.add(callers.submit(() -> {
                    go.await();
                    putService(id, "/" + id);
                    return null;
                }));
            }
            go.countDown();
            for (java.util.concurrent.Future<?> put : puts) {
                put.get();
            }
        } finally {
            callers.shutdownNow();
        }
        for (String id : ids) {
            awaitEveryNginx("/" + id + "/x");
        }
        JsonNode after = awaitRoutesLiveAfter(routesBefore);

        assertThat(after.path("routes").path("live").path("version").asLong()).as("routes versions for the 50 PUTs")
                .isEqualTo(routesBefore + 1);
        assertThat(applies()).as("applies (reloads) per agent").isEqualTo(applies);
    }

    /** PUTs the service at /{id} and waits until both Nginx route it and a routes version is live on every agent. */
    private static JsonNode putAndAwaitRouted(String id) throws Exception {
        putService(id, "/" + id);
        awaitEveryNginx("/" + id + "/x");
        return awaitRoutesLiveOnEveryAgent();
    }

    private static JsonNode awaitRoutesLiveAfter(long routesVersion) throws Exception {
        return await("routes version after " + routesVersion + " live on every agent", WITHIN, () -> json(get(manager.api("/groups/edge/status"))),
                s -> s.path("routes").path("live").path("version").asLong() > routesVersion && everyAgentAt(s));
    }

    private static void putService(String id, String basePath) throws Exception {
        assertThat(send("PUT", manager.api("/services/" + id), "{\"owners\":[\"" + id + "\"],\"basePath\":\"" + basePath
                + "\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);
    }

    /** A routed service without peers answers the 503 no_upstreams JSON; an unknown path would be 404. */
    private static void awaitEveryNginx(String path) throws Exception {
        for (HostAgent agent : agents) {
            await(path + " routed on " + agent.settings.agentId(), WITHIN, () -> {
                Http.Response response = Http.tryGet(agent.trafficPort(), path);
                return response.status() == 503 && response.body().contains("no_upstreams");
            });
        }
    }

    private static JsonNode awaitRoutesLiveOnEveryAgent() throws Exception {
        return await("a routes version live on every agent", WITHIN, () -> json(get(manager.api("/groups/edge/status"))),
                s -> s.path("routes").path("live").path("version").asLong() > 0 && everyAgentAt(s));
    }

    private static boolean everyAgentAt(JsonNode status) {
        long live = status.path("routes").path("live").path("version").asLong();
        List<Long> versions = new ArrayList<>();
        status.path("agents").forEach(a -> versions.add(a.path("routesVersion").asLong()));
        return versions.size() == agents.size() && versions.stream().allMatch(v -> v == live);
    }

    private static List<Long> applies() {
        return agents.stream().map(a -> a.agent.status().applies()).toList();
    }

    private static List<Long> masterPids() throws Exception {
        List<Long> pids = new ArrayList<>();
        for (HostAgent agent : agents) {
            pids.add(Long.parseLong(Files.readString(agent.settings.runtimeDir().resolve("run/nginx.pid")).strip()));
        }
        return pids;
    }
}
