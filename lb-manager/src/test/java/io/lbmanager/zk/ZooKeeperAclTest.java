package io.lbmanager.zk;

import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SortedMap;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A manager configured with ZooKeeper credentials, on a real ZooKeeper server: a service team's
 * Curator client without credentials still registers instances the manager routes to, but cannot
 * touch what Nginx serves; an agent's credentials allow only reading its group and reporting.
 */
class ZooKeeperAclTest {

    private static final String MANAGER = ManagerUnderTest.MANAGER_AUTH;
    private static final String AGENT = ManagerUnderTest.AGENT_AUTH;
    private static final ZkLayout LAYOUT = new ZkLayout("/lb-manager");
    private static final Duration WITHIN = Duration.ofSeconds(20);

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static RunningManager manager;

    @BeforeAll
    static void startManager() throws Exception {
        LbManagerConfiguration config = ManagerUnderTest.config(ZK.connectString(), "edge");
        config.zookeeper.auth.manager = MANAGER;
        config.zookeeper.auth.agent = AGENT;
        config.nginx.dynamicUpstreams = "off"; // registered instances show as server lines in the published config
        manager = RunningManager.start(config);
        assertThat(send("PUT", api("/services/orders"), "{\"owners\":[\"orders\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"]}")
                .statusCode()).isEqualTo(201);
        await("a version published", WITHIN, () -> get(api("/groups/edge/config")).statusCode() == 200);
    }

    @AfterAll
    static void stopManager() {
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void aTeamsClientWithoutCredentialsRegistersInstancesTheManagerRoutes() throws Exception {
        CuratorFramework team = ZK.curator();
        try (ServiceDiscovery<Void> discovery = ServiceDiscoveryBuilder.builder(Void.class).client(team).basePath("/services").build()) {
            discovery.start();
            discovery.registerService(ServiceInstance.<Void>builder().name("orders").address("127.0.0.1").port(18181).build());
            await("the registered instance is in the published config", WITHIN,
                    () -> get(api("/groups/edge/config")).body().contains("127.0.0.1:18181"));
            assertThat(team.getChildren().forPath("/services/orders")).hasSize(1);
        }
    }

    @Test
    void aTeamsClientWithoutCredentialsGetsNoAuthOnTheCatalogAndVersions() throws Exception {
        CuratorFramework team = ZK.curator();
        long version = json(get(api("/groups/edge/status"))).path("target").path("version").asLong();
        assertThat(version).isPositive();
        CuratorFramework asManager = ZK.clientAs(MANAGER);
        SortedMap<String, String> catalogBefore = ZK.tree(asManager, LAYOUT.services());
        byte[] versionBefore = asManager.getData().forPath(LAYOUT.groupVersion("edge", version));

        byte[] evil = "{\"owners\":[\"mallory\"],\"basePath\":\"/\"}".getBytes(StandardCharsets.UTF_8);
        assertNoAuth(() -> team.setData().forPath(LAYOUT.service("orders"), evil));
        assertNoAuth(() -> team.create().forPath(LAYOUT.flatService("evil"), evil));
        assertNoAuth(() -> team.create().forPath(LAYOUT.serviceBucket("orders") + "/evil", evil));
        assertNoAuth(() -> team.delete().forPath(LAYOUT.service("orders")));
        assertNoAuth(() -> team.getData().forPath(LAYOUT.service("orders")));
        assertNoAuth(() -> team.setData().forPath(LAYOUT.groupVersion("edge", version), new byte[]{1, 2, 3}));
        assertNoAuth(() -> team.create().forPath(LAYOUT.groupVersion("edge", version + 1), new byte[]{1, 2, 3}));
        assertNoAuth(() -> team.setData().forPath(LAYOUT.groupTarget("edge"), "{}".getBytes(StandardCharsets.UTF_8)));
        assertNoAuth(() -> team.create().forPath(LAYOUT.agent("edge", "fake-agent"), new byte[0]));
        assertNoAuth(() -> team.create().forPath(LAYOUT.root() + "/tokens", new byte[0]));

        assertThat(ZK.tree(asManager, LAYOUT.services())).isEqualTo(catalogBefore);
        assertThat(asManager.getData().forPath(LAYOUT.groupVersion("edge", version))).isEqualTo(versionBefore);
    }

    @Test
    void anAgentReadsItsGroupAndWritesOnlyItsOwnStatusNode() throws Exception {
        CuratorFramework agent = ZK.clientAs(AGENT);
        long version = json(get(api("/groups/edge/status"))).path("target").path("version").asLong();
        assertThat(agent.getData().forPath(LAYOUT.groupTarget("edge"))).isNotEmpty();
        assertThat(agent.getData().forPath(LAYOUT.groupVersion("edge", version))).isNotEmpty();

        agent.create().withMode(CreateMode.EPHEMERAL).withACL(new AgentAcls(ZkCredentials.parse(AGENT, "test")).getDefaultAcl())
                .forPath(LAYOUT.agent("edge", "agent-acl-test"), "{}".getBytes(StandardCharsets.UTF_8));
        agent.setData().forPath(LAYOUT.agent("edge", "agent-acl-test"), "{\"state\":\"READY\"}".getBytes(StandardCharsets.UTF_8));
        assertNoAuth(() -> ZK.curator().setData().forPath(LAYOUT.agent("edge", "agent-acl-test"), new byte[0]));
        agent.delete().forPath(LAYOUT.agent("edge", "agent-acl-test"));

        assertNoAuth(() -> agent.setData().forPath(LAYOUT.groupTarget("edge"), "{}".getBytes(StandardCharsets.UTF_8)));
        assertNoAuth(() -> agent.setData().forPath(LAYOUT.groupVersion("edge", version), new byte[]{1}));
        assertNoAuth(() -> agent.getData().forPath(LAYOUT.service("orders")));
        assertNoAuth(() -> agent.create().forPath(LAYOUT.groupVersions("edge") + "/9999999999", new byte[]{1}));
    }

    @Test
    void nodesCreatedBeforeCredentialsWereConfiguredAreLockedAtStart() throws Exception {
        ZkLayout old = new ZkLayout("/old-deployment");
        CuratorFramework open = ZK.curator();
        open.create().creatingParentsIfNeeded().forPath(old.service("legacy"), "{}".getBytes(StandardCharsets.UTF_8));
        open.create().creatingParentsIfNeeded().forPath(old.groupVersion("edge", 1), new byte[]{1});
        open.create().creatingParentsIfNeeded().forPath(old.catalogGroup("edge"));
        open.setData().forPath(old.service("legacy"), "{\"still\":\"open\"}".getBytes(StandardCharsets.UTF_8));

        CuratorFramework managerClient = ZooKeeperClients.client(ZK.connectString(), 10_000, 5_000,
                ZkCredentials.parse(MANAGER, "test"), acls(old));
        managerClient.start();
        try {
            assertThat(new AclSetup(managerClient, old, acls(old)).run()).as("nodes locked").isGreaterThanOrEqualTo(5);
            assertNoAuth(() -> open.setData().forPath(old.service("legacy"), new byte[0]));
            assertNoAuth(() -> open.setData().forPath(old.groupVersion("edge", 1), new byte[0]));
            assertNoAuth(() -> open.create().forPath(old.groupVersions("edge") + "/0000000002", new byte[0]));
            assertThat(managerClient.checkExists().forPath(old.groupAgents("edge"))).as("agents node made for the declared group").isNotNull();
            ZK.clientAs(AGENT).create().withMode(CreateMode.EPHEMERAL).forPath(old.agent("edge", "a1"), new byte[0]);
            assertThat(new AclSetup(managerClient, old, acls(old)).run()).as("a second start walks nothing").isZero();
        } finally {
            managerClient.close();
        }
    }

    private static ManagerAcls acls(ZkLayout layout) {
        return new ManagerAcls(layout, "/services", ZkCredentials.parse(MANAGER, "test"), ZkCredentials.parse(AGENT, "test"));
    }

    private static void assertNoAuth(org.assertj.core.api.ThrowableAssert.ThrowingCallable write) {
        assertThatThrownBy(write).isInstanceOf(KeeperException.NoAuthException.class);
    }

    private static String api(String path) {
        return manager.api(path);
    }
}
