package io.lbmanager.peers;

import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.discovery.DiscoveryWatcher;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.snapshot.CatalogWatcher;
import io.lbmanager.snapshot.DiscoveryGuard;
import io.lbmanager.snapshot.SnapshotChange;
import io.lbmanager.snapshot.SnapshotSource;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The leader's peer-list publisher against a real ZooKeeper server, fed by the real catalog and discovery watches. */
class PeerPublisherTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int SERVICES = 20;

    private final ZkLayout layout = new ZkLayout("/lbm-test");
    @RegisterExtension
    final ZooKeeperExtension zk = ZooKeeperExtension.perTest();
    private CuratorFramework client;
    private CatalogStore catalog;
    private CatalogWatcher catalogWatcher;
    private DiscoveryWatcher discovery;
    private PeerPublisher publisher;
    private SnapshotSource source;

    @BeforeEach
    void start() throws Exception {
        client = zk.curator();
        catalog = new CatalogStore(client, layout);
        catalog.createGroup("edge");
        catalog.createGroup("inner");
        publisher = new PeerPublisher(client, layout, UpstreamMode.dynamic(UpstreamMode.DEBIAN_MODULES_DIR, 4), () -> true);
        publisher.start();
        source = new SnapshotSource(new DiscoveryGuard(0.5, 3, 0)).tell(publisher);
        catalogWatcher = new CatalogWatcher(client, layout, CatalogStore::parseService, source);
        discovery = new DiscoveryWatcher(client, "/services", source);
        catalogWatcher.start();
        discovery.start();
        assertThat(source.awaitComplete(10, TimeUnit.SECONDS)).isTrue();
    }

    @AfterEach
    void stop() throws Exception {
        publisher.stop();
        discovery.stop();
        catalogWatcher.stop();
        source.stop();
    }

    private void define(String id, String... groups) {
        catalog.putService(new ServiceDefinition(id, List.of("team"), "/" + id, List.of(groups), Map.of(), id), "test");
    }

    private void register(String service, String instanceId, int port) throws Exception {
        String json = "{\"name\":\"" + service + "\",\"id\":\"" + instanceId + "\",\"address\":\"10.0.0.1\",\"port\":" + port
                + ",\"payload\":null,\"registrationTimeUTC\":1,\"serviceType\":\"DYNAMIC\",\"uriSpec\":null}";
        client.create().creatingParentsIfNeeded().forPath("/services/" + service + "/" + instanceId, json.getBytes(StandardCharsets.UTF_8));
    }

    private void unregister(String service, String instanceId) throws Exception {
        client.delete().forPath("/services/" + service + "/" + instanceId);
    }

    private Optional<List<Integer>> storedPorts(String group, String service) throws Exception {
        return PeerBucket.readOne(client, layout, group, service).map(stored -> stored.list().peers().stream().map(Upstream::port).toList());
    }

    private void awaitStored(String group, String service, Optional<List<Integer>> ports) throws Exception {
        Await.await(group + "/" + service + " peers " + ports, WAIT, () -> {
            try {
                return storedPorts(group, service).equals(ports);
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static String id(int i) {
        return String.format("s%02d", i);
    }

    private void defineServicesWithOneInstanceEach() throws Exception {
        for (int i = 0; i < SERVICES; i++) {
            define(id(i), "edge");
            register(id(i), id(i) + "-a", 9000 + i);
        }
        for (int i = 0; i < SERVICES; i++) {
            awaitStored("edge", id(i), Optional.of(List.of(9000 + i)));
        }
    }

    @Test
    void aNewLeaderFindingTheLayoutBeforeBucketsWritesBucketsAndDeletesTheOlderNodesAfterwards() throws Exception {
        defineServicesWithOneInstanceEach();
        publisher.stop(); // the older leader, which wrote one node per service (and no buckets)
        client.delete().deletingChildrenIfNeeded().forPath(layout.groupPeerBuckets("edge"));
        for (int i = 0; i < SERVICES; i++) {
            client.create().creatingParentsIfNeeded().forPath(layout.groupPeerList("edge", id(i)),
                    new PeerList(id(i), List.of(new Upstream("10.0.0.1", 9000 + i))).encode());
        }
        client.create().forPath(layout.groupPeerList("edge", "gone-since"), new PeerList("gone-since", List.of(new Upstream("10.0.0.9", 1))).encode());
        PeerPublisher newLeader = new PeerPublisher(client, layout, UpstreamMode.dynamic(UpstreamMode.DEBIAN_MODULES_DIR, 4), () -> true);
        try {
            newLeader.snapshotChanged(source.current(), SnapshotChange.of(SnapshotChange.Cause.FIRST_READ));

            Await.await("every list in its bucket", WAIT, () -> new PeerNodes(client, layout).read("edge").services().size() == SERVICES);
            assertThat(client.checkExists().forPath(layout.groupPeerList("edge", id(3)))).as("the older nodes stay a while").isNotNull();
            Await.await("the older nodes deleted", WAIT, () -> client.checkExists().forPath(layout.groupPeers("edge")) == null);
            for (int i = 0; i < SERVICES; i++) {
                assertThat(storedPorts("edge", id(i))).contains(List.of(9000 + i));
            }
            assertThat(storedPorts("edge", "gone-since")).isEmpty();
        } finally {
            newLeader.stop();
        }
    }

    @Test
    void aRegistrationDerivesAndWritesOnlyThatServicesPeerList() throws Exception {
        defineServicesWithOneInstanceEach();
        long derivationsBefore = publisher.derivations();
        long writesBefore = publisher.writes();

        register(id(7), id(7) + "-b", 9500);

        awaitStored("edge", id(7), Optional.of(List.of(9007, 9500)));
        assertThat(publisher.derivations() - derivationsBefore).isEqualTo(1);
        assertThat(publisher.writes() - writesBefore).isEqualTo(1);
        assertThat(storedPorts("edge", id(8))).contains(List.of(9008));
    }

    @Test
    void peerNodesFollowEveryChangeOfARandomSequenceWhileListsAreDerivedPerChange() throws Exception {
        java.util.Random random = new java.util.Random(11);
        Map<String, List<String>> groupsOf = new java.util.TreeMap<>();
        Map<String, java.util.TreeMap<String, Integer>> ports = new java.util.TreeMap<>();
        for (int step = 0; step < 80; step++) {
            String service = id(random.nextInt(8));
            java.util.TreeMap<String, Integer> instances = ports.computeIfAbsent(service, s -> new java.util.TreeMap<>());
            int action = random.nextInt(10);
            if (action < 3) {
                List<String> groups = random.nextBoolean() ? List.of("edge") : List.of("edge", "inner");
                define(service, groups.toArray(String[]::new));
                groupsOf.put(service, groups);
            } else if (action < 4) {
                if (groupsOf.remove(service) != null) {
                    catalog.deleteService(service);
                }
            } else if (action < 9 || instances.size() < 2) {
                register(service, service + "-" + step, 9000 + step);
                instances.put(service + "-" + step, 9000 + step);
            } else {
                unregister(service, instances.firstKey());
                instances.remove(instances.firstKey());
            }
        }
        for (String group : List.of("edge", "inner")) {
            for (int i = 0; i < 8; i++) {
                String service = id(i);
                List<Integer> expected = ports.getOrDefault(service, new java.util.TreeMap<>()).values().stream().sorted().toList();
                awaitStored(group, service, groupsOf.getOrDefault(service, List.of()).contains(group) ? Optional.of(expected) : Optional.empty());
            }
        }
        assertThat(source.current().held()).as("nothing held by the guard").isEmpty();
    }

    @Test
    void aServiceThatLeavesAGroupLosesItsPeerListThereOnly() throws Exception {
        define("orders", "edge", "inner");
        register("orders", "o1", 9100);
        awaitStored("edge", "orders", Optional.of(List.of(9100)));
        awaitStored("inner", "orders", Optional.of(List.of(9100)));

        define("orders", "edge");

        awaitStored("inner", "orders", Optional.empty());
        assertThat(storedPorts("edge", "orders")).contains(List.of(9100));
    }

    @Test
    void aMassLossOfInstancesKeepsThePreviousPeersWhileOtherChangesFlow() throws Exception {
        defineServicesWithOneInstanceEach();

        for (int i = 0; i < SERVICES - 2; i++) {
            unregister(id(i), id(i) + "-a");
        }
        register(id(SERVICES - 1), id(SERVICES - 1) + "-b", 9600);

        awaitStored("edge", id(SERVICES - 1), Optional.of(List.of(9000 + SERVICES - 1, 9600)));
        assertThat(source.current().held()).as("the vanished instance is held, not routed by accident").containsKey(id(0));
        for (int i = 0; i < SERVICES - 2; i++) {
            assertThat(storedPorts("edge", id(i))).contains(List.of(9000 + i));
        }
    }

    @Test
    void aDeregistrationBelowTheGuardsThresholdEmptiesThatList() throws Exception {
        defineServicesWithOneInstanceEach();

        unregister(id(3), id(3) + "-a");

        awaitStored("edge", id(3), Optional.of(List.of()));
        assertThat(storedPorts("edge", id(4))).contains(List.of(9004));
    }
}
