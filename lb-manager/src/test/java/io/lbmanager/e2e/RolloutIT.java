package io.lbmanager.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.TopContainerResponse;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.fleet.DockerClients;
import io.lbmanager.testsupport.DockerSupport;
import io.lbmanager.testsupport.Load;
import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rollouts across three Nginx containers when an agent stops answering (its Java process stopped
 * with SIGSTOP while its Nginx workers keep serving) or dies mid-rollout:
 * the whole group goes back to the last good version, the failure names the agent, and traffic
 * through the healthy Nginx never fails.
 */
class RolloutIT {

    private static final String GROUP = "edge";
    private static final Duration WITHIN = Duration.ofSeconds(60);
    private static final String FLEET = DockerSupport.uniqueFleetName("lbm-rollout");

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension APP = new ManagerExtension(ZK, zk -> {
        LbManagerConfiguration config = ManagerUnderTest.withDockerFleet(zk, FLEET, GROUP, 3);
        config.pipeline.rolloutTimeoutSeconds = 6;
        return config;
    }).afterManager(() -> {
        try (DockerClient docker = DockerClients.local()) {
            DockerSupport.removeFleet(docker, FLEET);
        }
    });
    private static TinyBackend backend;

    @BeforeEach
    void fleetServesShop() throws Exception {
        DockerSupport.assumeUsable(DockerSupport.whyUnusable(DockerSupport.image()));
        if (backend == null) {
            backend = TinyBackend.answering("shop\n");
            send("PUT", api("/services/shop"), "{\"owners\":[\"shop\"],\"basePath\":\"/shop\",\"groups\":[\"edge\"]}");
            send("POST", api("/services/shop/upstreams"), "{\"host\":\"127.0.0.1\",\"port\":" + backend.port() + "}");
        }
        await("three READY agents on the live version, serving shop", Duration.ofSeconds(120), () -> {
            JsonNode status = status();
            long live = status.path("live").path("version").asLong(-1);
            List<JsonNode> agents = new ArrayList<>();
            status.path("agents").forEach(agents::add);
            return agents.size() == 3 && status.path("rollout").isNull() && status.path("target").path("version").asLong() == live
                    && agents.stream().allMatch(a -> "READY".equals(a.path("state").asText()) && a.path("runningVersion").asLong() == live
                    && io.lbmanager.testsupport.Http.tryGet(a.path("trafficPort").asInt(), "/shop/1").status() == 200);
        });
    }

    @AfterAll
    static void closeBackends() {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void agentThatNeverAnswersTimesOutTheRolloutAndEveryAgentStaysOnTheLiveVersion() throws Exception {
        JsonNode before = status();
        long live = before.path("live").path("version").asLong();
        JsonNode frozen = before.path("agents").get(0);
        String frozenId = frozen.path("agentId").asText();
        List<Integer> healthyPorts = new ArrayList<>();
        before.path("agents").forEach(a -> {
            if (!a.path("agentId").asText().equals(frozenId)) {
                healthyPorts.add(a.path("trafficPort").asInt());
            }
        });
        try (DockerClient docker = DockerClients.local();
             Load load = Load.toPorts(() -> healthyPorts).path("/shop/1").maxRequests(20_000).maxTime(Duration.ofSeconds(90))
                     .start()) {
            String agentPid = agentProcess(docker, frozenId);
            signal("STOP", agentPid);
            try {
                send("PUT", api("/services/frozen-probe"), "{\"owners\":[\"p\"],\"basePath\":\"/frozen-probe\",\"groups\":[\"edge\"]}");
                await("the rollout reverted at its deadline", WITHIN, () -> {
                    JsonNode latest = json(get(api("/groups/edge/rollouts?limit=1"))).path(0);
                    return latest.path("version").asLong() > live && "REVERTED".equals(latest.path("state").asText());
                });
                JsonNode reverted = json(get(api("/groups/edge/rollouts?limit=1"))).path(0);
                assertThat(reverted.path("timedOut").asBoolean()).isTrue();
                assertThat(reverted.path("failures").toString()).contains(frozenId).contains("did not confirm");
                await("the healthy agents are back on the live version", WITHIN, () -> healthyPorts.stream().allMatch(port ->
                        io.lbmanager.testsupport.Http.tryGet(port, "/_lbm/version").body().startsWith(live + " ")));
            } finally {
                signal("CONT", agentPid);
                send("DELETE", api("/services/frozen-probe"), null);
            }
            load.stop();
            assertThat(load.failed()).as("failed requests: %s", load.firstFailures()).isZero();
            assertThat(load.sent()).isGreaterThan(20);
        }
    }

    /** The host pid of the container's agent (tini is PID 1 in the image, so a signal to the container would reach only tini). */
    private static String agentProcess(DockerClient docker, String containerId) {
        TopContainerResponse top = docker.topContainerCmd(containerId).exec();
        List<String> titles = List.of(top.getTitles());
        int pid = titles.indexOf("PID");
        int command = Math.max(titles.indexOf("CMD"), titles.indexOf("COMMAND"));
        for (String[] process : top.getProcesses()) {
            if (process[command].contains("lb-manager.jar agent")) {
                return process[pid];
            }
        }
        throw new AssertionError("no agent process in container " + containerId + ": " + java.util.Arrays.deepToString(top.getProcesses()));
    }

    private static void signal(String signal, String pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, pid).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %s", signal, pid).isZero();
    }

    @Test
    void agentKilledMidRolloutRevertsTheGroupThenItsReplacementServesTheRetriedVersion() throws Exception {
        JsonNode before = status();
        long live = before.path("live").path("version").asLong();
        String killedId = before.path("agents").get(1).path("agentId").asText();
        try (DockerClient docker = DockerClients.local()) {
            send("PUT", api("/services/after-kill"), "{\"owners\":[\"k\"],\"basePath\":\"/after-kill\",\"groups\":[\"edge\"]}");
            docker.killContainerCmd(killedId).exec();

            await("every Nginx serves after-kill once the dead agent is replaced and the rollout retried", Duration.ofSeconds(120), () -> {
                JsonNode status = status();
                List<JsonNode> agents = new ArrayList<>();
                status.path("agents").forEach(agents::add);
                return agents.size() == 3 && agents.stream().noneMatch(a -> a.path("agentId").asText().equals(killedId))
                        && status.path("live").path("version").asLong() > live
                        && agents.stream().allMatch(a -> io.lbmanager.testsupport.Http.tryGet(a.path("trafficPort").asInt(), "/after-kill/1")
                        .status() == 503);
            });
            JsonNode history = json(get(api("/groups/" + GROUP + "/rollouts?limit=50")));
            List<JsonNode> revertedNamingTheKilledAgent = new ArrayList<>();
            history.forEach(r -> {
                if (r.path("version").asLong() > live && "REVERTED".equals(r.path("state").asText())
                        && r.path("failures").toString().contains(killedId)) {
                    revertedNamingTheKilledAgent.add(r);
                }
            });
            assertThat(revertedNamingTheKilledAgent).as("a rollout after version %d reverted, naming the killed agent %s; history: %s",
                    live, killedId, history).isNotEmpty();
        } finally {
            send("DELETE", api("/services/after-kill"), null);
        }
    }

    private static JsonNode status() throws Exception {
        return json(get(api("/groups/" + GROUP + "/status")));
    }

    private static String api(String path) {
        return APP.api(path);
    }
}
