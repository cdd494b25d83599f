package io.lbmanager.peers;

import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.Load;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.apache.curator.framework.CuratorFramework;
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
import java.util.List;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fallback when the Lua balancer is off (here by setting; on a host without the module by
 * the start-up probe): membership changes still reach Nginx, as a new version and a reload each,
 * and Nginx's own max_fails still skips a dead peer.
 */
class ReloadModeOnHostTest {

    private static final Duration WITHIN = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static CuratorFramework client;
    private static ServiceDiscovery<DynamicUpstreamsOnHostTest.WeightedPayload> discovery;
    private static RunningManager manager;
    private static HostAgent agent;
    private static TinyBackend live;

    @BeforeAll
    static void start() throws Exception {
        client = ZK.curator();
        discovery = ServiceDiscoveryBuilder.builder(DynamicUpstreamsOnHostTest.WeightedPayload.class)
                .client(client).basePath("/services").build();
        discovery.start();
        LbManagerConfiguration config = ManagerUnderTest.config(ZK.connectString(), "edge");
        config.nginx.dynamicUpstreams = "off";
        manager = RunningManager.start(config);
        live = TinyBackend.answering("live\n");
        agent = HostAgent.start(ZK.connectString(), "/lb-manager", "edge", "agent-1", dir.resolve("agent-1"));
        assertThat(send("PUT", manager.api("/services/shop"),
                "{\"owners\":[\"shop\"],\"basePath\":\"/shop\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        agent.close();
        manager.close();
        live.close();
        discovery.close();
    }

    @Test
    void membershipChangesReloadAndADeadPeerIsStillSkipped() throws Exception {
        assertThat(json(get(manager.api("/manager"))).path("upstreams").asText()).isEqualTo("reload");
        register(live.port());
        await("live serves shop", WITHIN, () -> Http.tryGet(agent.trafficPort(), "/shop/x").body().equals("live\n"));
        long appliesBefore = agent.agent.status().applies();

        TinyBackend doomed = TinyBackend.answering("doomed\n");
        register(doomed.port());
        await("the doomed backend serves shop too", WITHIN, () -> Http.tryGet(agent.trafficPort(), "/shop/x").body().equals("doomed\n")
                || Http.tryGet(agent.trafficPort(), "/shop/x").body().equals("doomed\n"));
        // New workers answer before the agent has confirmed the reload and counted it.
        await("a membership change is a reload in this mode", WITHIN, () -> agent.agent.status().applies() > appliesBefore);
        assertThat(agent.agent.status().upstreams()).isEqualTo(AgentStatus.UPSTREAMS_RELOAD);
        assertThat(json(get(manager.api("/groups/edge/config"))).toString())
                .contains("server 127.0.0.1:" + doomed.port()).doesNotContain("balancer_by_lua");
        doomed.close();

        try (Load load = Load.toPorts(() -> List.of(agent.trafficPort())).path("/shop/x").maxRequests(300).maxTime(WITHIN).start()) {
            await("200 requests sent", WITHIN, () -> load.sent() >= 200);
            load.stop();
            assertThat(load.failed()).as("failed requests: %s", load.firstFailures()).isZero();
        }
    }

    private static void register(int port) throws Exception {
        discovery.registerService(ServiceInstance.<DynamicUpstreamsOnHostTest.WeightedPayload>builder()
                .name("shop").address("127.0.0.1").port(port).payload(new DynamicUpstreamsOnHostTest.WeightedPayload()).build());
    }
}
