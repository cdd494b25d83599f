package io.lbmanager.discovery;

import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.snapshot.CatalogWatcher;
import io.lbmanager.snapshot.DiscoveredInstance;
import io.lbmanager.snapshot.DiscoveryGuard;
import io.lbmanager.snapshot.SnapshotSource;
import io.lbmanager.testsupport.RegistrantProcess;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.lbmanager.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

class DiscoveryWatcherTest {

    private static final Duration WITHIN = Duration.ofSeconds(30);

    @RegisterExtension
    final ZooKeeperExtension zk = ZooKeeperExtension.perTest();
    private CuratorFramework client;
    private DiscoveryWatcher watcher;
    private CatalogWatcher catalog;
    /** What the watcher feeds, seen through the snapshot source it feeds (with a guard that never holds). */
    private SnapshotSource source;
    private final AtomicInteger changes = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        client = zk.curator();
        source = new SnapshotSource(new DiscoveryGuard(1.0, Integer.MAX_VALUE, 0)).tell((snapshot, change) -> changes.incrementAndGet());
        catalog = new CatalogWatcher(client, new ZkLayout("/lb-manager"), CatalogStore::parseService, source);
        watcher = new DiscoveryWatcher(client, "/services", source);
        catalog.start();
        watcher.start();
        assertThat(source.awaitComplete(10, TimeUnit.SECONDS)).isTrue();
    }

    @AfterEach
    void stop() throws Exception {
        watcher.stop();
        catalog.stop();
        source.stop();
    }

    private SortedMap<String, List<DiscoveredInstance>> instances() {
        return source.current().discovered();
    }

    @Test
    void curatorRegistrationWithForeignPayloadIsSeenAndUnregistrationRemovesIt() throws Exception {
        ServiceDiscovery<RegistrantProcess.TeamPayload> discovery = ServiceDiscoveryBuilder.builder(RegistrantProcess.TeamPayload.class)
                .client(client).basePath("/services").build();
        discovery.start();
        ServiceInstance<RegistrantProcess.TeamPayload> instance = ServiceInstance.<RegistrantProcess.TeamPayload>builder()
                .name("orders").address("127.0.0.1").port(18080).payload(new RegistrantProcess.TeamPayload()).build();
        discovery.registerService(instance);

        await("orders discovered", WITHIN, () -> instances().containsKey("orders"));
        assertThat(instances().get("orders"))
                .containsExactly(new DiscoveredInstance("orders", instance.getId(), "127.0.0.1", 18080, true, 1,
                        java.util.Map.of("team", "orders-team", "description", "registered by a service team")));

        discovery.unregisterService(instance);
        await("orders no longer discovered", WITHIN, () -> !instances().containsKey("orders"));
        discovery.close();
    }

    @Test
    void payloadWithUnknownClassStillRouted() throws Exception {
        String json = "{\"name\":\"billing\",\"id\":\"b1\",\"address\":\"10.1.2.3\",\"port\":9000,\"sslPort\":null,"
                + "\"payload\":{\"@class\":\"com.example.NotOnOurClasspath\",\"x\":1},\"registrationTimeUTC\":1,"
                + "\"serviceType\":\"DYNAMIC\",\"uriSpec\":null}";
        client.create().creatingParentsIfNeeded().forPath("/services/billing/b1", json.getBytes(StandardCharsets.UTF_8));

        await("billing discovered", WITHIN, () -> instances().containsKey("billing"));
        assertThat(instances().get("billing").get(0).upstream().address()).isEqualTo("10.1.2.3:9000");
    }

    @Test
    void disabledInstanceIsKeptButMarkedDisabled() throws Exception {
        String json = "{\"name\":\"search\",\"id\":\"s1\",\"address\":\"127.0.0.1\",\"port\":9001,\"enabled\":false}";
        client.create().creatingParentsIfNeeded().forPath("/services/search/s1", json.getBytes(StandardCharsets.UTF_8));

        await("search discovered", WITHIN, () -> instances().containsKey("search"));
        assertThat(instances().get("search").get(0).enabled()).isFalse();
    }

    @Test
    void malformedNodesAreRefusedWithTheirReasonAndNeverRouted() throws Exception {
        write("/services/bad/notjson", "{not json");
        write("/services/bad/inject", "{\"name\":\"bad\",\"id\":\"i\",\"address\":\"1.2.3.4; include /etc/passwd\",\"port\":80}");
        write("/services/bad/noport", "{\"name\":\"bad\",\"id\":\"n\",\"address\":\"1.2.3.4\",\"port\":null,\"sslPort\":443}");
        write("/services/bad/hugeport", "{\"name\":\"bad\",\"id\":\"h\",\"address\":\"1.2.3.4\",\"port\":70000}");
        write("/services/bad/othername", "{\"name\":\"orders\",\"id\":\"o\",\"address\":\"1.2.3.4\",\"port\":80}");
        write("/services/bad;evil/x", "{\"name\":\"bad;evil\",\"id\":\"x\",\"address\":\"1.2.3.4\",\"port\":80}");

        await("6 malformed nodes reported", WITHIN, () -> source.refusedDiscoveryNodes().size() == 6);
        assertThat(instances()).isEmpty();
        assertThat(source.refusedDiscoveryNodes())
                .hasEntrySatisfying("/services/bad/notjson", reason -> assertThat(reason).contains("not JSON"))
                .hasEntrySatisfying("/services/bad/inject", reason -> assertThat(reason).contains("address"))
                .hasEntrySatisfying("/services/bad/noport", reason -> assertThat(reason).contains("no port"))
                .hasEntrySatisfying("/services/bad/hugeport", reason -> assertThat(reason).contains("70000"))
                .hasEntrySatisfying("/services/bad/othername", reason -> assertThat(reason).contains("does not match"))
                .hasEntrySatisfying("/services/bad;evil/x", reason -> assertThat(reason).contains("service name"));
    }

    @Test
    void nodeThatTurnsMalformedStopsBeingRouted() throws Exception {
        write("/services/cart/c1", "{\"name\":\"cart\",\"id\":\"c1\",\"address\":\"127.0.0.1\",\"port\":9100}");
        await("cart discovered", WITHIN, () -> instances().containsKey("cart"));

        client.setData().forPath("/services/cart/c1", "garbage".getBytes(StandardCharsets.UTF_8));
        await("cart no longer discovered", WITHIN, () -> !instances().containsKey("cart"));
        assertThat(source.refusedDiscoveryNodes()).containsKey("/services/cart/c1");
    }

    @Test
    void killedRegistrantDisappearsWhenItsSessionExpires() throws Exception {
        try (RegistrantProcess registrant = RegistrantProcess.start(zk.connectString(), "/services", "inventory",
                "127.0.0.1", 18081, 4_000)) {
            await("inventory discovered", WITHIN, () -> instances().containsKey("inventory"));
            registrant.kill();
            await("inventory no longer discovered", WITHIN, () -> !instances().containsKey("inventory"));
        }
    }

    @Test
    void burstOfRegistrationsReachesAFullConsistentView() throws Exception {
        for (int i = 0; i < 50; i++) {
            write("/services/bulk/i" + i, "{\"name\":\"bulk\",\"id\":\"i" + i + "\",\"address\":\"127.0.0.1\",\"port\":" + (20000 + i) + "}");
        }
        await("50 bulk instances discovered", WITHIN, () -> instances().getOrDefault("bulk", List.of()).size() == 50);
        assertThat(changes.get()).isGreaterThan(1);
        assertThat(instances().get("bulk")).extracting(DiscoveredInstance::port).isSorted();
    }

    private void write(String path, String content) throws Exception {
        client.create().creatingParentsIfNeeded().forPath(path, content.getBytes(StandardCharsets.UTF_8));
    }

}
