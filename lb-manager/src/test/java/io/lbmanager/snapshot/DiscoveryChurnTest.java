package io.lbmanager.snapshot;

import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.discovery.DiscoveryWatcher;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.RegistrantProcess;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a new user saw against the demo: a service cycling its only instance through Curator
 * x-discovery (as every deploy of a one-instance service does) beside a steady service, with the
 * guard's default settings. Real ZooKeeper, real Curator registrations, the manager's own watches.
 */
class DiscoveryChurnTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static final Duration MEMBERSHIP_TARGET = Duration.ofSeconds(5);

    private SnapshotSource source;
    private CatalogWatcher catalog;
    private DiscoveryWatcher discovery;
    private ServiceDiscovery<RegistrantProcess.TeamPayload> registrant;
    /** Every hold any snapshot reported, by discovery name. */
    private final Map<String, String> holdsSeen = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        source = new SnapshotSource(new DiscoveryGuard(0.5, 4, 60_000, DiscoveryGuard.DEFAULT_LOSS_WINDOW_MILLIS,
                DiscoveryGuard.DEFAULT_MIN_SERVICES_LOST, DiscoveryGuard.DEFAULT_MAX_HOLD_MILLIS))
                .tell((snapshot, change) -> holdsSeen.putAll(snapshot.held()));
        catalog = new CatalogWatcher(ZK.curator(), new ZkLayout("/churn"), CatalogStore::parseService, source);
        discovery = new DiscoveryWatcher(ZK.curator(), "/churn-services", source);
        catalog.start();
        discovery.start();
        assertThat(source.awaitComplete(10, TimeUnit.SECONDS)).isTrue();
        registrant = ServiceDiscoveryBuilder.builder(RegistrantProcess.TeamPayload.class)
                .client(ZK.curator()).basePath("/churn-services").build();
        registrant.start();
    }

    @AfterEach
    void stop() throws Exception {
        registrant.close();
        discovery.stop();
        catalog.stop();
        source.stop();
    }

    @Test
    void aServiceCyclingItsOnlyInstanceIsNeverHeldAndEachDeregistrationIsRoutedAtOnce() throws Exception {
        for (int i = 0; i < 2; i++) {
            registrant.registerService(instance("hello", 18000 + i));
        }
        Await.await("hello's 2 instances", MEMBERSHIP_TARGET, () -> instances("hello") == 2);

        for (int round = 0; round < 30; round++) {
            ServiceInstance<RegistrantProcess.TeamPayload> probe = instance("probe", 19000 + round);
            registrant.registerService(probe);
            Await.await("probe registered in round " + round, MEMBERSHIP_TARGET, () -> instances("probe") == 1);
            registrant.unregisterService(probe);
            Await.await("probe deregistered in round " + round, MEMBERSHIP_TARGET, () -> instances("probe") == 0);
        }

        assertThat(holdsSeen).as("holds during 30 rounds of one instance coming and going").isEmpty();
        assertThat(instances("hello")).isEqualTo(2);
    }

    @Test
    void aMassLossAcrossServicesIsStillHeldAndEndsWhenTheInstancesReturn() throws Exception {
        List<ServiceInstance<RegistrantProcess.TeamPayload>> all = List.of(instance("orders", 18100), instance("orders", 18101),
                instance("cart", 18200), instance("cart", 18201), instance("search", 18300));
        for (ServiceInstance<RegistrantProcess.TeamPayload> instance : all) {
            registrant.registerService(instance);
        }
        Await.await("5 instances", MEMBERSHIP_TARGET, () -> instances("orders") + instances("cart") + instances("search") == 5);

        for (ServiceInstance<RegistrantProcess.TeamPayload> instance : all) {
            registrant.unregisterService(instance);
        }
        Await.await("the loss held", MEMBERSHIP_TARGET, () -> source.current().held().keySet().containsAll(List.of("orders", "cart", "search")));
        assertThat(instances("orders")).as("previous instances still routed").isEqualTo(2);

        for (ServiceInstance<RegistrantProcess.TeamPayload> instance : all) {
            registrant.registerService(instance);
        }
        Await.await("the hold ended", MEMBERSHIP_TARGET, () -> source.current().held().isEmpty());
    }

    private int instances(String name) {
        return source.current().discovered().getOrDefault(name, List.of()).size();
    }

    private static ServiceInstance<RegistrantProcess.TeamPayload> instance(String name, int port) throws Exception {
        return ServiceInstance.<RegistrantProcess.TeamPayload>builder().name(name).address("127.0.0.1").port(port)
                .payload(new RegistrantProcess.TeamPayload()).build();
    }
}
