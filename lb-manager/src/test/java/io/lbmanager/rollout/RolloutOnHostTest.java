package io.lbmanager.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.signing.KeygenCommand;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.Load;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.NginxWrappers;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
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
 * All-or-nothing rollouts on real parts, with upstreams rendered as server lines (reload mode): a real ZooKeeper server, the manager, three agents with
 * the real nginx on this host (the third one refuses a marker, as a host with a different Nginx
 * build would), real backends and real HTTP through every Nginx. The manager locks its ZooKeeper
 * nodes with ACLs and signs every version; the agents authenticate and check each signature.
 */
class RolloutOnHostTest {

    private static final String GROUP = "edge";
    private static final Duration WITHIN = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static CuratorFramework client;
    private static RunningManager manager;
    private static LbManagerConfiguration config;
    private static TinyBackend backend;
    private static final List<HostAgent> agents = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        client = ZK.curator();
        config = ManagerUnderTest.config(ZK.connectString(), GROUP);
        config.pipeline.rolloutTimeoutSeconds = 10;
        config.nginx.dynamicUpstreams = "off"; // every upstream change is a rollout here; DynamicUpstreamsOnHostTest covers the other mode
        ManagerUnderTest.trusting(config, dir.resolve("key-a"));
        manager = RunningManager.start(config);
        backend = TinyBackend.answering("shop backend\n");
        String publicKey = Files.readString(dir.resolve("key-a").resolve(KeygenCommand.PUBLIC_FILE));
        for (int i = 1; i <= 3; i++) {
            String nginx = i == 3 ? NginxWrappers.refusing(dir, "canary-reject").toString() : HostAgent.NGINX;
            agents.add(HostAgent.startTrusting(ZK.connectString(), "/lb-manager", GROUP, "agent-" + i,
                    dir.resolve("agent-" + i), nginx, ManagerUnderTest.AGENT_AUTH, publicKey));
        }
        assertThat(send("PUT", api("/services/shop"), "{\"owners\":[\"shop\"],\"basePath\":\"/shop\",\"groups\":[\"edge\"]}")
                .statusCode()).isEqualTo(201);
        assertThat(send("POST", api("/services/shop/upstreams"), "{\"host\":\"127.0.0.1\",\"port\":" + backend.port() + "}")
                .statusCode()).isEqualTo(200);
        awaitEveryNginx("/shop/cart", 200);
        awaitRolloutOver();
    }

    @AfterAll
    static void stop() throws Exception {
        agents.forEach(HostAgent::close);
        manager.close();
        backend.close();
    }

    @Test
    void configOneAgentRejectsRevertsEveryAgentAndTrafficNeverFails() throws Exception {
        awaitRolloutOver();
        long liveBefore = status().path("live").path("version").asLong();
        try (Load load = Load.toPorts(RolloutOnHostTest::trafficPorts).path("/shop/cart").maxRequests(20_000)
                .maxTime(Duration.ofSeconds(60)).start()) {
            assertThat(send("PUT", api("/services/canary-reject"),
                    "{\"owners\":[\"canary\"],\"basePath\":\"/canary-reject\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);

            await("the rollout reverted", WITHIN, () -> "REVERTED".equals(latestRollout().path("state").asText()));
            JsonNode reverted = latestRollout();
            assertThat(reverted.path("version").asLong()).isGreaterThan(liveBefore);
            assertThat(reverted.path("failures").get(0).path("agentId").asText()).isEqualTo("agent-3");
            assertThat(reverted.path("failures").get(0).path("reason").asText()).contains("refuses 'canary-reject'");
            awaitEveryNginxServing(liveBefore);
            assertThat(status().path("target").path("version").asLong()).isEqualTo(liveBefore);
            await("the group says why it is blocked", WITHIN, () -> status().path("status").path("message").asText().contains("reverted"));
            for (HostAgent agent : agents) {
                assertThat(Http.get(agent.trafficPort(), "/canary-reject/x").status()).isEqualTo(404);
            }
            load.stop();
            assertThat(load.failed()).as("failed requests: %s", load.firstFailures()).isZero();
            assertThat(load.sent()).isGreaterThan(20);
        } finally {
            send("DELETE", api("/services/canary-reject"), null);
        }
    }

    @Test
    void aVersionSignedWithAnotherKeyIsRefusedByEveryAgentAndRevertedWhileTrafficNeverFails() throws Exception {
        awaitRolloutOver();
        long liveBefore = status().path("live").path("version").asLong();
        restartManagerSigningWith(dir.resolve("key-b")); // a manager, or anyone else with its ZooKeeper password, signing with the wrong key
        try (Load load = Load.toPorts(RolloutOnHostTest::trafficPorts).path("/shop/cart").maxRequests(20_000)
                .maxTime(Duration.ofSeconds(60)).start()) {
            assertThat(send("PUT", api("/services/signed-by-b"),
                    "{\"owners\":[\"b\"],\"basePath\":\"/signed-by-b\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);

            await("the rollout reverted", WITHIN, () -> "REVERTED".equals(latestRollout().path("state").asText()));
            JsonNode reverted = latestRollout();
            long refused = reverted.path("version").asLong();
            assertThat(refused).isGreaterThan(liveBefore);
            assertThat(reverted.path("failures").get(0).path("reason").asText())
                    .contains("refused: bad signature on version " + refused).contains("key other than the manager's");
            awaitEveryNginxServing(liveBefore);
            for (HostAgent agent : agents) {
                assertThat(agent.agent.status().failedVersion()).isEqualTo(refused);
                assertThat(Http.get(agent.trafficPort(), "/signed-by-b/x").status()).isEqualTo(404);
            }
            assertThat(status().path("target").path("version").asLong()).isEqualTo(liveBefore);
            load.stop();
            assertThat(load.failed()).as("failed requests: %s", load.firstFailures()).isZero();
            assertThat(load.sent()).isGreaterThan(20);
        } finally {
            send("DELETE", api("/services/signed-by-b"), null);
            restartManagerSigningWith(dir.resolve("key-a"));
        }
    }

    @Test
    void pinHoldsChangesUnpinReleasesThemAndRollbackReturnsToAChosenVersion() throws Exception {
        awaitRolloutOver();
        long before = status().path("live").path("version").asLong();
        assertThat(send("PUT", api("/groups/edge/pin"), "{\"reason\":\"black friday freeze\"}").statusCode()).isEqualTo(200);
        try {
            assertThat(send("PUT", api("/services/pinned-b"),
                    "{\"owners\":[\"b\"],\"basePath\":\"/pinned-b\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);
            await("the group reports the pin", WITHIN, () -> "PINNED".equals(status().path("status").path("state").asText()));
            assertThat(status().path("pinned").path("reason").asText()).isEqualTo("black friday freeze");
            assertThat(status().path("target").path("version").asLong()).isEqualTo(before);
            assertThat(Http.get(agents.get(0).trafficPort(), "/pinned-b/x").status()).isEqualTo(404);

            assertThat(send("DELETE", api("/groups/edge/pin"), null).statusCode()).isEqualTo(204);
            awaitEveryNginx("/pinned-b/x", 503);
            awaitRolloutOver();

            var rollback = send("POST", api("/groups/edge/rollback"), "{\"version\":" + before + ",\"reason\":\"pinned-b misroutes\"}");
            assertThat(rollback.statusCode()).as(rollback.body()).isEqualTo(202);
            awaitEveryNginx("/pinned-b/x", 404);
            await("the rollback succeeded", WITHIN, () -> "SUCCEEDED".equals(latestRollout().path("state").asText())
                    && latestRollout().path("cause").asText().contains("rollback"));
            assertThat(latestRollout().path("cause").asText()).contains("rollback to version " + before).contains("pinned-b misroutes");
            assertThat(status().path("live").path("version").asLong()).isEqualTo(before);
            assertThat(status().path("pinned").path("reason").asText()).contains("rollback to version " + before);
        } finally {
            send("DELETE", api("/services/pinned-b"), null);
            send("DELETE", api("/groups/edge/pin"), null);
        }
    }

    @Test
    void rollbackToAnUnknownVersionIsANotFoundNamingIt() throws Exception {
        var response = send("POST", api("/groups/edge/rollback"), "{\"version\":999999,\"reason\":\"typo\"}");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).path("message").asText()).contains("999999");
        assertThat(send("POST", api("/groups/edge/rollback"), "{\"version\":1}").statusCode()).isEqualTo(422);
    }

    @Test
    void fiveHundredRapidDiscoveryChangesCauseFewReloads() throws Exception {
        awaitRolloutOver();
        assertThat(send("PUT", api("/services/bulk"), "{\"owners\":[\"bulk\"],\"basePath\":\"/bulk\",\"groups\":[\"edge\"]}")
                .statusCode()).isEqualTo(201);
        awaitEveryNginx("/bulk/x", 503);
        awaitRolloutOver();
        long appliesBefore = agents.get(0).agent.status().applies();
        try {
            for (int i = 0; i < 500; i++) {
                client.create().creatingParentsIfNeeded().forPath("/services/bulk/i" + i, ("{\"name\":\"bulk\",\"id\":\"i" + i
                        + "\",\"address\":\"127.0.0.1\",\"port\":" + (20000 + i) + "}").getBytes(StandardCharsets.UTF_8));
            }
            await("all 500 instances live on every agent", WITHIN, () -> {
                JsonNode config = json(get(api("/groups/edge/config")));
                long target = status().path("target").path("version").asLong();
                return config.path("files").path("upstreams/bulk.conf").asText().contains("127.0.0.1:20499")
                        && agents.stream().allMatch(a -> a.agent.status().runningVersion() == target);
            });
            long reloads = agents.get(0).agent.status().applies() - appliesBefore;
            System.out.println("500 discovery changes -> " + reloads + " reloads per agent");
            assertThat(reloads).isBetween(1L, 15L);
        } finally {
            send("DELETE", api("/services/bulk"), null);
            for (int i = 0; i < 500; i++) {
                client.delete().quietly().forPath("/services/bulk/i" + i);
            }
            await("bulk deregistered", WITHIN, () -> json(get(api("/discovery"))).path("unroutedNames").toString().equals("[]"));
            send("POST", api("/discovery/release-hold"), null);
        }
    }

    @Test
    void massExpiryIsHeldAndReportedUntilAnOperatorReleasesIt() throws Exception {
        awaitRolloutOver();
        assertThat(send("PUT", api("/services/fleet-x"), "{\"owners\":[\"x\"],\"basePath\":\"/fleet-x\",\"groups\":[\"edge\"]}")
                .statusCode()).isEqualTo(201);
        try {
            for (int i = 0; i < 10; i++) {
                client.create().creatingParentsIfNeeded().forPath("/services/fleet-x/x" + i, ("{\"name\":\"fleet-x\",\"id\":\"x" + i
                        + "\",\"address\":\"127.0.0.1\",\"port\":" + (30000 + i) + "}").getBytes(StandardCharsets.UTF_8));
                client.create().creatingParentsIfNeeded().forPath("/services/fleet-y/y" + i, ("{\"name\":\"fleet-y\",\"id\":\"y" + i
                        + "\",\"address\":\"127.0.0.1\",\"port\":" + (31000 + i) + "}").getBytes(StandardCharsets.UTF_8));
            }
            await("10 instances published", WITHIN, () -> countServers(json(get(api("/groups/edge/config")))) == 10);
            awaitRolloutOver();

            for (int i = 0; i < 10; i++) {
                client.delete().forPath("/services/fleet-x/x" + i);
                client.delete().forPath("/services/fleet-y/y" + i);
            }
            await("fleet-x held", WITHIN, () -> status().path("status").path("held").has("fleet-x"));
            assertThat(status().path("status").path("held").path("fleet-x").asText()).contains("20 of 20", "2 services");
            Thread.sleep(500);
            assertThat(countServers(json(get(api("/groups/edge/config"))))).isEqualTo(10);
            assertThat(json(get(api("/services/fleet-x/status"))).path("groups").get(0).path("routing").asText()).isEqualTo("HELD");

            assertThat(send("POST", api("/discovery/release-hold"), null).statusCode()).isEqualTo(200);
            await("the emptying applied after release", WITHIN, () -> countServers(json(get(api("/groups/edge/config")))) == 0);
            await("the hold no longer reported", WITHIN, () -> status().path("status").path("held").size() == 0);
        } finally {
            send("DELETE", api("/services/fleet-x"), null);
        }
    }

    private static long countServers(JsonNode config) {
        String upstream = config.path("files").path("upstreams/fleet-x.conf").asText();
        return upstream.lines().filter(line -> line.strip().startsWith("server ")).count();
    }

    private static JsonNode status() throws Exception {
        return json(get(api("/groups/" + GROUP + "/status")));
    }

    private static JsonNode latestRollout() throws Exception {
        JsonNode history = json(get(api("/groups/" + GROUP + "/rollouts?limit=1")));
        return history.size() == 0 ? json(get(api("/groups/" + GROUP + "/status"))).path("rollout") : history.get(0);
    }

    /** Waits until no rollout is in flight and every agent runs the target, twice, longer apart than the pipeline's coalescing delay. */
    private static void awaitRolloutOver() throws Exception {
        for (int check = 0; check < 2; check++) {
            await("no rollout in flight and every agent on the target", WITHIN, () -> {
                JsonNode status = status();
                long target = status.path("target").path("version").asLong();
                return status.path("rollout").isNull() || status.path("rollout").isMissingNode()
                        ? agents.stream().allMatch(a -> a.agent.status().runningVersion() == target) : false;
            });
            Thread.sleep(700);
        }
    }

    /** Every Nginx itself says it serves the version, and still does a moment later (an apply in flight has landed). */
    private static void awaitEveryNginxServing(long version) throws Exception {
        for (int check = 0; check < 2; check++) {
            await("every Nginx serving version " + version, WITHIN, () -> agents.stream().allMatch(a ->
                    a.agent.status().runningVersion() == version && Http.tryGet(a.trafficPort(), "/_lbm/version").body().startsWith(version + " ")));
            Thread.sleep(1000);
        }
    }

    private static void restartManagerSigningWith(Path keyDir) throws Exception {
        manager.close();
        ManagerUnderTest.trusting(config, keyDir);
        manager = RunningManager.start(config);
    }

    private static List<Integer> trafficPorts() {
        return agents.stream().map(HostAgent::trafficPort).toList();
    }

    private static void awaitEveryNginx(String path, int expected) throws Exception {
        await(path + " answers " + expected + " through every Nginx", WITHIN,
                () -> agents.stream().allMatch(a -> Http.tryGet(a.trafficPort(), path).status() == expected));
    }

    private static String api(String path) {
        return manager.api(path);
    }
}
