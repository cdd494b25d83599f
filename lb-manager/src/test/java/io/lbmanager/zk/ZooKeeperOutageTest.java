package io.lbmanager.zk;

import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.contract.AgentState;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.Load;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RegistrantProcess;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/** Fail static: Nginx keeps serving while ZooKeeper is down or loses a node, and the fleet catches up afterwards. */
class ZooKeeperOutageTest {

    private static final Duration WITHIN = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void zooKeeperDownLongerThanEverySessionNginxKeepsServingAndCatchesUp() throws Exception {
        ZooKeeperExtension zookeeper = new ZooKeeperExtension().tickTimeMillis(500).start();
        LbManagerConfiguration config = ManagerUnderTest.config(zookeeper.connectString(), "edge");
        config.zookeeper.sessionTimeoutMs = 3_000;
        config.zookeeper.connectionTimeoutMs = 2_000;
        RunningManager manager = RunningManager.start(config);
        try (TinyBackend backend = TinyBackend.answering("orders\n");
             HostAgent agent = HostAgent.start(zookeeper.connectString(), "/lb-manager", "edge", "a1", dir.resolve("agent"));
             RegistrantProcess registrant = RegistrantProcess.start(zookeeper.connectString(), "/services", "orders", "127.0.0.1",
                     backend.port(), 3_000)) {
            send("PUT", manager.api("/services/orders"), "{\"owners\":[\"o\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"]}");
            await("orders served", WITHIN, () -> Http.tryGet(agent.trafficPort(), "/orders/1").status() == 200);
            // A first 200 may come from a new worker while the old ones still accept (Nginx overlaps them on a reload);
            // the agent says READY once the new version answered steadily.
            await("the agent confirmed the version serving orders", WITHIN, () -> agent.agent.status().state() == AgentState.READY
                    && agent.agent.status().runningVersion() == ManagerUnderTest.json(ManagerUnderTest.get(manager.api(
                    "/groups/edge/status"))).path("target").path("version").asLong());

            try (Load load = Load.toPorts(() -> List.of(agent.trafficPort())).path("/orders/1").maxRequests(50_000)
                    .maxTime(Duration.ofSeconds(90)).start()) {
                zookeeper.stop();
                Thread.sleep(8_000);
                assertThat(Http.get(agent.trafficPort(), "/orders/1").status()).isEqualTo(200);
                zookeeper.restart();

                await("the manager takes changes again", WITHIN, () -> send("PUT", manager.api("/services/late"),
                        "{\"owners\":[\"l\"],\"basePath\":\"/late\",\"groups\":[\"edge\"]}").statusCode() / 100 == 2);
                await("a change made after the outage is served", WITHIN, () -> Http.tryGet(agent.trafficPort(), "/late/1").status() == 503);
                load.stop();
                assertThat(load.failed()).as("failed requests through Nginx: %s", load.firstFailures()).isZero();
                assertThat(load.sent()).isGreaterThan(50);
            }
        } finally {
            manager.close();
            zookeeper.close();
        }
    }

    @Test
    void ensembleLosingOneOfThreeNodesKeepsChangesFlowing() throws Exception {
        try (ZooKeeperExtension cluster = ZooKeeperExtension.ensemble(3).start()) {
            RunningManager manager = RunningManager.start(ManagerUnderTest.config(cluster.connectString(), "edge"));
            try (TinyBackend backend = TinyBackend.answering("billing\n");
                 HostAgent agent = HostAgent.start(cluster.connectString(), "/lb-manager", "edge", "a1", dir.resolve("agent"))) {
                send("PUT", manager.api("/services/billing"), "{\"owners\":[\"b\"],\"basePath\":\"/billing\",\"groups\":[\"edge\"]}");
                send("POST", manager.api("/services/billing/upstreams"), "{\"host\":\"127.0.0.1\",\"port\":" + backend.port() + "}");
                await("billing served", WITHIN, () -> Http.tryGet(agent.trafficPort(), "/billing/1").status() == 200);

                cluster.killOneServer();
                await("a change made with one node down is served", WITHIN, () ->
                        send("PUT", manager.api("/services/search"),
                                "{\"owners\":[\"s\"],\"basePath\":\"/search\",\"groups\":[\"edge\"]}").statusCode() / 100 == 2
                                && Http.tryGet(agent.trafficPort(), "/search/1").status() == 503);
                assertThat(Http.get(agent.trafficPort(), "/billing/1").status()).isEqualTo(200);
            } finally {
                manager.close();
            }
        }
    }
}
