package io.lbmanager.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.DropwizardTestSupport;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.NginxWrappers;
import io.lbmanager.testsupport.TinyBackend;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
    private TestingServer zookeeper;
    private TinyBackend backend;
    private HostAgent agent;
    private final List<DropwizardTestSupport<LbManagerConfiguration>> managers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        zookeeper = new TestingServer(true);
        backend = TinyBackend.answering("backend\n");
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        for (DropwizardTestSupport<LbManagerConfiguration> manager : managers) {
            manager.after();
        }
        backend.close();
        zookeeper.close();
    }

    @Test
    void leaderStoppedMidRolloutIsReplacedAndNoAcceptedChangeIsLost() throws Exception {
        DropwizardTestSupport<LbManagerConfiguration> first = startManager(ManagerUnderTest.templatesDir());
        DropwizardTestSupport<LbManagerConfiguration> second = startManager(ManagerUnderTest.templatesDir());
        agent = HostAgent.start(zookeeper.getConnectString(), "/lb-manager", "edge", "slow-agent", dir.resolve("agent"),
                NginxWrappers.slowToLoad(dir, 3).toString());
        DropwizardTestSupport<LbManagerConfiguration> leader = leaderOf(first, second);
        DropwizardTestSupport<LbManagerConfiguration> follower = leader == first ? second : first;
        assertThat(json(get(ManagerUnderTest.api(follower, "/manager"))).path("leader").asBoolean()).isFalse();
        await("the slow agent is READY", WITHIN, () -> "READY".equals(
                json(get(ManagerUnderTest.api(follower, "/groups/edge/status"))).path("agents").path(0).path("state").asText()));

        assertThat(send("PUT", ManagerUnderTest.api(follower, "/services/orders"),
                "{\"owners\":[\"orders\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);
        assertThat(send("POST", ManagerUnderTest.api(follower, "/services/orders/upstreams"),
                "{\"host\":\"127.0.0.1\",\"port\":" + backend.port() + "}").statusCode()).isEqualTo(200);
        await("a rollout in flight", WITHIN, () -> !json(get(ManagerUnderTest.api(follower, "/groups/edge/status"))).path("rollout").isNull()
                && json(get(ManagerUnderTest.api(follower, "/groups/edge/status"))).path("rollout").has("version"));
        long inFlight = json(get(ManagerUnderTest.api(follower, "/groups/edge/status"))).path("rollout").path("version").asLong();

        assertThat(send("PUT", ManagerUnderTest.api(leader, "/services/billing"),
                "{\"owners\":[\"billing\"],\"basePath\":\"/billing\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);
        leader.after();
        managers.remove(leader);

        await("the other manager leads", WITHIN, () -> json(get(ManagerUnderTest.api(follower, "/manager"))).path("leader").asBoolean());
        await("the in-flight rollout finished", WITHIN, () -> {
            for (JsonNode rollout : json(get(ManagerUnderTest.api(follower, "/groups/edge/rollouts")))) {
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
        DropwizardTestSupport<LbManagerConfiguration> good = startManager(ManagerUnderTest.templatesDir());
        agent = HostAgent.start(zookeeper.getConnectString(), "/lb-manager", "edge", "a1", dir.resolve("agent"));
        send("PUT", ManagerUnderTest.api(good, "/services/orders"), "{\"owners\":[\"orders\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"]}");
        send("POST", ManagerUnderTest.api(good, "/services/orders/upstreams"), "{\"host\":\"127.0.0.1\",\"port\":" + backend.port() + "}");
        await("orders served", WITHIN, () -> Http.tryGet(agent.trafficPort(), "/orders/1").status() == 200);
        long target = json(get(ManagerUnderTest.api(good, "/groups/edge/status"))).path("target").path("version").asLong();
        good.after();
        managers.remove(good);

        Path broken = Files.createDirectories(dir.resolve("broken-templates"));
        for (Path template : Files.list(ManagerUnderTest.templatesDir()).filter(p -> p.toString().endsWith(".ftl")).toList()) {
            Files.copy(template, broken.resolve(template.getFileName()));
        }
        Path main = broken.resolve("nginx.conf.ftl");
        Files.writeString(main, Files.readString(main).replace("worker_processes auto;", "worker_processes ${noSuchVariable};"));
        DropwizardTestSupport<LbManagerConfiguration> bad = startManager(broken);
        send("PUT", ManagerUnderTest.api(bad, "/services/search"), "{\"owners\":[\"search\"],\"basePath\":\"/search\",\"groups\":[\"edge\"]}");

        await("the group is blocked by the template", WITHIN, () -> {
            JsonNode status = json(get(ManagerUnderTest.api(bad, "/groups/edge/status"))).path("status");
            return "BLOCKED".equals(status.path("state").asText()) && status.path("message").asText().contains("nginx.conf.ftl");
        });
        assertThat(json(get(ManagerUnderTest.api(bad, "/groups/edge/status"))).path("target").path("version").asLong()).isEqualTo(target);
        assertThat(Http.get(agent.trafficPort(), "/orders/1").status()).isEqualTo(200);
    }

    private DropwizardTestSupport<LbManagerConfiguration> startManager(Path templates) throws Exception {
        LbManagerConfiguration config = ManagerUnderTest.config(zookeeper.getConnectString(), "edge");
        config.nginx.templatesDir = templates.toString();
        DropwizardTestSupport<LbManagerConfiguration> manager = ManagerUnderTest.start(config);
        managers.add(manager);
        return manager;
    }

    private static DropwizardTestSupport<LbManagerConfiguration> leaderOf(DropwizardTestSupport<LbManagerConfiguration> a,
                                                                         DropwizardTestSupport<LbManagerConfiguration> b) throws Exception {
        await("one of the managers leads", WITHIN, () -> json(get(ManagerUnderTest.api(a, "/manager"))).path("leader").asBoolean()
                || json(get(ManagerUnderTest.api(b, "/manager"))).path("leader").asBoolean());
        return json(get(ManagerUnderTest.api(a, "/manager"))).path("leader").asBoolean() ? a : b;
    }
}
