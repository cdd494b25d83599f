package io.lbmanager.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.NginxWrappers;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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

/** Two managers on one ZooKeeper: one leads, both accept writes, and the other takes over mid-rollout. */
class ManagerFailoverTest {

    private static final Duration WITHIN = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    @RegisterExtension
    final ZooKeeperExtension zk = ZooKeeperExtension.perTest();
    private TinyBackend backend;
    private HostAgent agent;
    private final List<RunningManager> managers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        backend = TinyBackend.answering("backend\n");
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        for (RunningManager manager : managers) {
            manager.close();
        }
        backend.close();
    }

    @Test
    void leaderStoppedMidRolloutIsReplacedAndNoAcceptedChangeIsLost() throws Exception {
        RunningManager first = startManager(ManagerUnderTest.templatesDir());
        RunningManager second = startManager(ManagerUnderTest.templatesDir());
        agent = HostAgent.start(zk.connectString(), "/lb-manager", "edge", "slow-agent", dir.resolve("agent"),
                NginxWrappers.slowToLoad(dir, 3).toString());
        RunningManager leader = leaderOf(first, second);
        RunningManager follower = leader == first ? second : first;
        assertThat(json(get(follower.api("/manager"))).path("leader").asBoolean()).isFalse();
        await("the slow agent is READY", WITHIN, () -> "READY".equals(
                json(get(follower.api("/groups/edge/status"))).path("agents").path(0).path("state").asText()));

        assertThat(send("PUT", follower.api("/services/orders"),
                "{\"owners\":[\"orders\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);
        assertThat(send("POST", follower.api("/services/orders/upstreams"),
                "{\"host\":\"127.0.0.1\",\"port\":" + backend.port() + "}").statusCode()).isEqualTo(200);
        await("a rollout in flight", WITHIN, () -> !json(get(follower.api("/groups/edge/status"))).path("rollout").isNull()
                && json(get(follower.api("/groups/edge/status"))).path("rollout").has("version"));
        long inFlight = json(get(follower.api("/groups/edge/status"))).path("rollout").path("version").asLong();

        assertThat(send("PUT", leader.api("/services/billing"),
                "{\"owners\":[\"billing\"],\"basePath\":\"/billing\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);
        leader.close();
        managers.remove(leader);

        await("the other manager leads", WITHIN, () -> json(get(follower.api("/manager"))).path("leader").asBoolean());
        await("the in-flight rollout finished", WITHIN, () -> {
            for (JsonNode rollout : json(get(follower.api("/groups/edge/rollouts")))) {
                if (rollout.path("version").asLong() == inFlight) {
                    return "SUCCEEDED".equals(rollout.path("state").asText());
                }
            }
            return false;
        });
        await("both accepted changes served", WITHIN, () -> Http.tryGet(agent.trafficPort(), "/orders/1").status() == 200
                && Http.tryGet(agent.trafficPort(), "/billing/1").status() == 503);
    }

    @Test
    void badTemplateBlocksTheGroupSaysSoAndAgentsKeepServing() throws Exception {
        RunningManager good = startManager(ManagerUnderTest.templatesDir());
        agent = HostAgent.start(zk.connectString(), "/lb-manager", "edge", "a1", dir.resolve("agent"));
        send("PUT", good.api("/services/orders"), "{\"owners\":[\"orders\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"]}");
        send("POST", good.api("/services/orders/upstreams"), "{\"host\":\"127.0.0.1\",\"port\":" + backend.port() + "}");
        await("orders served", WITHIN, () -> Http.tryGet(agent.trafficPort(), "/orders/1").status() == 200);
        long target = json(get(good.api("/groups/edge/status"))).path("target").path("version").asLong();
        good.close();
        managers.remove(good);

        Path broken = Files.createDirectories(dir.resolve("broken-templates"));
        for (Path template : Files.list(ManagerUnderTest.templatesDir()).filter(p -> p.toString().endsWith(".ftl")).toList()) {
            Files.copy(template, broken.resolve(template.getFileName()));
        }
        Path main = broken.resolve("nginx.conf.ftl");
        Files.writeString(main, Files.readString(main).replace("worker_processes auto;", "worker_processes ${noSuchVariable};"));
        RunningManager bad = startManager(broken);
        send("PUT", bad.api("/services/search"), "{\"owners\":[\"search\"],\"basePath\":\"/search\",\"groups\":[\"edge\"]}");

        await("the group is blocked by the template", WITHIN, () -> {
            JsonNode status = json(get(bad.api("/groups/edge/status"))).path("status");
            return "BLOCKED".equals(status.path("state").asText()) && status.path("message").asText().contains("nginx.conf.ftl");
        });
        assertThat(json(get(bad.api("/groups/edge/status"))).path("target").path("version").asLong()).isEqualTo(target);
        assertThat(Http.get(agent.trafficPort(), "/orders/1").status()).isEqualTo(200);
    }

    private RunningManager startManager(Path templates) throws Exception {
        LbManagerConfiguration config = ManagerUnderTest.config(zk.connectString(), "edge");
        config.nginx.templatesDir = templates.toString();
        RunningManager manager = RunningManager.start(config);
        managers.add(manager);
        return manager;
    }

    private static RunningManager leaderOf(RunningManager a,
                                                                         RunningManager b) throws Exception {
        await("one of the managers leads", WITHIN, () -> json(get(a.api("/manager"))).path("leader").asBoolean()
                || json(get(b.api("/manager"))).path("leader").asBoolean());
        return json(get(a.api("/manager"))).path("leader").asBoolean() ? a : b;
    }
}
