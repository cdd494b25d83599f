package io.lbmanager.catalog;

import io.lbmanager.errors.ConflictException;
import io.lbmanager.errors.InvalidInputException;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.ZkLayout;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CatalogStoreTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static final ZkLayout LAYOUT = new ZkLayout("/store-test");

    private CatalogStore store;

    @BeforeEach
    void freshCatalogWithTwoGroups() throws Exception {
        ZK.deleteAll(LAYOUT.root());
        store = new CatalogStore(ZK.curator(), LAYOUT);
        store.createGroup("edge");
        store.createGroup("internal");
    }

    private static ServiceDefinition definition(String id, String basePath, String... groups) {
        return new ServiceDefinition(id, List.of("team-" + id), basePath, List.of(groups), Map.of(), id);
    }

    private String lockOwner(String group, String basePath) throws Exception {
        return ZK.text(LAYOUT.basePathLock(group, basePath));
    }

    @Test
    void putTakesOneBasePathLockPerGroupHoldingTheServiceId() throws Exception {
        ServicePut put = store.putService(definition("payments", "/pay", "edge", "internal"), "alice");

        assertThat(put).isInstanceOf(ServicePut.Created.class);
        assertThat(lockOwner("edge", "/pay")).isEqualTo("payments");
        assertThat(lockOwner("internal", "/pay")).isEqualTo("payments");
        assertThat(store.service("payments")).contains(put.record());
        assertThat(put.record().updatedBy()).isEqualTo("alice");
    }

    @Test
    void everyWriteIsToldAsTheRecordAReaderOfTheNodeGets() {
        CatalogWrites writes = new CatalogWrites();
        CatalogStore told = new CatalogStore(ZK.curator(), LAYOUT, System::currentTimeMillis, writes);
        told.putService(new ServiceDefinition("uploads", List.of("team"), "/up", List.of("edge"),
                Map.of("clientMaxBodySizeMb", 50, "loadBalancing", "least_conn"), "uploads"), "alice");
        told.putService(definition("cart", "/cart", "edge"), "alice");
        told.addUpstream("cart", new Upstream("10.0.0.1", 8080), "alice");

        assertThat(writes.settledIn(id -> id.equals("cart") ? null : told.service(id).orElse(null)))
                .as("cart's write is not shown yet").isFalse();
        assertThat(writes.settledIn(id -> told.service(id).orElse(null))).as("every write shown as the node reads").isTrue();
        told.deleteService("cart");
        assertThat(writes.settledIn(id -> told.service(id).orElse(null))).as("the deletion shown").isTrue();
    }

    @Test
    void basePathOwnedByAnotherServiceInTheSameGroupConflictsNamingTheOwner() throws Exception {
        store.putService(definition("payments", "/pay", "edge"), "alice");
        var before = ZK.tree(LAYOUT.root());

        assertThatThrownBy(() -> store.putService(definition("billing", "/pay", "internal", "edge"), "bob"))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("payments").hasMessageContaining("/pay").hasMessageContaining("edge")
                .extracting(e -> ((ConflictException) e).field()).isEqualTo("basePath");
        assertThat(ZK.tree(LAYOUT.root())).isEqualTo(before);
    }

    @Test
    void theSameBasePathInDifferentGroupsBelongsToDifferentServices() {
        store.putService(definition("payments", "/pay", "edge"), "alice");
        assertThat(store.putService(definition("payments-internal", "/pay", "internal"), "bob"))
                .isInstanceOf(ServicePut.Created.class);
    }

    @Test
    void updateMovesTheLockAndFreesTheOldPathForOthers() throws Exception {
        store.putService(definition("payments", "/pay", "edge"), "alice");

        ServicePut update = store.putService(definition("payments", "/payments", "edge"), "alice");

        assertThat(update).isInstanceOf(ServicePut.Updated.class);
        assertThat(lockOwner("edge", "/pay")).isNull();
        assertThat(lockOwner("edge", "/payments")).isEqualTo("payments");
        assertThat(store.putService(definition("other", "/pay", "edge"), "bob")).isInstanceOf(ServicePut.Created.class);
    }

    @Test
    void updateThatDropsAGroupReleasesOnlyThatGroupsLock() throws Exception {
        store.putService(definition("payments", "/pay", "edge", "internal"), "alice");

        store.putService(definition("payments", "/pay", "edge"), "alice");

        assertThat(lockOwner("edge", "/pay")).isEqualTo("payments");
        assertThat(lockOwner("internal", "/pay")).isNull();
    }

    @Test
    void refusedUpdateKeepsTheOldLocksAndRecord() throws Exception {
        store.putService(definition("payments", "/pay", "edge"), "alice");
        store.putService(definition("billing", "/bill", "edge"), "bob");
        var before = ZK.tree(LAYOUT.root());

        assertThatThrownBy(() -> store.putService(definition("payments", "/bill", "edge"), "alice"))
                .isInstanceOf(ConflictException.class).hasMessageContaining("billing");
        assertThat(ZK.tree(LAYOUT.root())).isEqualTo(before);
    }

    @Test
    void updateKeepsStaticUpstreams() {
        store.putService(definition("payments", "/pay", "edge"), "alice");
        store.addUpstream("payments", new Upstream("10.0.0.1", 80), "alice");

        ServicePut update = store.putService(definition("payments", "/pay2", "edge"), "bob");

        assertThat(update.record().staticUpstreams()).containsExactly(new Upstream("10.0.0.1", 80));
    }

    @Test
    void deleteFreesEveryLockOfTheService() throws Exception {
        store.putService(definition("payments", "/pay", "edge", "internal"), "alice");

        assertThat(store.deleteService("payments")).isTrue();

        assertThat(store.service("payments")).isEmpty();
        assertThat(ZK.tree(LAYOUT.basePaths("edge"))).hasSize(1);
        assertThat(ZK.tree(LAYOUT.basePaths("internal"))).hasSize(1);
        assertThat(store.deleteService("payments")).isFalse();
    }

    @Test
    void claimingAPathInAGroupThatWasDeletedMeanwhileIsRefusedNamingTheGroup() throws Exception {
        store.deleteGroup("internal");
        var before = ZK.tree(LAYOUT.root());

        assertThatThrownBy(() -> store.putService(definition("payments", "/pay", "edge", "internal"), "alice"))
                .isInstanceOf(InvalidInputException.class)
                .extracting(e -> ((InvalidInputException) e).field()).isEqualTo("groups[1]");
        assertThat(ZK.tree(LAYOUT.root())).isEqualTo(before);
    }

    @RepeatedTest(5)
    void concurrentPutsOfTwoServicesClaimingTheSamePathLetExactlyOneWin() throws Exception {
        List<Object> outcomes = race(
                () -> store.putService(definition("alpha", "/shared", "edge"), "a"),
                () -> store.putService(definition("beta", "/shared", "edge"), "b"));

        assertThat(outcomes).filteredOn(o -> o instanceof ServicePut.Created).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o instanceof ConflictException).hasSize(1);
        String winner = ((ServicePut) outcomes.stream().filter(o -> o instanceof ServicePut).findFirst().orElseThrow()).record().id();
        String loser = winner.equals("alpha") ? "beta" : "alpha";
        assertThat(lockOwner("edge", "/shared")).isEqualTo(winner);
        assertThat(store.service(loser)).isEmpty();
        assertThat(ZK.tree(LAYOUT.basePaths("edge"))).hasSize(2);
    }

    @RepeatedTest(5)
    void concurrentUpdatesOfOneServiceLeaveExactlyTheLocksOfTheStoredRecord() throws Exception {
        store.putService(definition("payments", "/start", "edge"), "alice");

        race(() -> store.putService(definition("payments", "/left", "edge"), "a"),
                () -> store.putService(definition("payments", "/right", "edge", "internal"), "b"));

        ServiceRecord stored = store.service("payments").orElseThrow();
        List<String> edgeLocks = new ArrayList<>(ZK.tree(LAYOUT.basePaths("edge")).keySet());
        assertThat(edgeLocks).containsExactlyInAnyOrder(LAYOUT.basePaths("edge"), LAYOUT.basePathLock("edge", stored.definition().basePath()));
        assertThat(ZK.exists(LAYOUT.basePathLock("internal", "/right"))).isEqualTo(stored.definition().groups().contains("internal"));
    }

    @Test
    void deletingAGroupThatStillHasServicesConflictsNamingThem() throws Exception {
        store.putService(definition("payments", "/pay", "edge"), "alice");
        var before = ZK.tree(LAYOUT.root());

        assertThatThrownBy(() -> store.deleteGroup("edge"))
                .isInstanceOf(ConflictException.class).hasMessageContaining("payments");
        assertThat(ZK.tree(LAYOUT.root())).isEqualTo(before);
    }

    @Test
    void deletingAnUnusedGroupRemovesItsWholeSubtree() throws Exception {
        ZK.write(LAYOUT.groupTarget("edge"), "{}");
        ZK.write(LAYOUT.groupVersion("edge", 1), "bundle");

        assertThat(store.deleteGroup("edge")).isTrue();

        assertThat(ZK.exists(LAYOUT.group("edge"))).isFalse();
        assertThat(ZK.exists(LAYOUT.basePaths("edge"))).isFalse();
        assertThat(store.groups()).containsExactly("internal");
        assertThat(store.deleteGroup("edge")).isFalse();
    }

    @Test
    void deletingAGroupWithLiveAgentsConflicts() throws Exception {
        ZK.write(LAYOUT.agent("edge", "agent-1"), "{}");

        assertThatThrownBy(() -> store.deleteGroup("edge")).isInstanceOf(ConflictException.class).hasMessageContaining("agent-1");
        assertThat(store.groupExists("edge")).isTrue();
    }

    @Test
    void creatingAGroupTwiceIsHarmless() throws Exception {
        var before = ZK.tree(LAYOUT.root());
        assertThat(store.createGroup("edge")).isFalse();
        assertThat(ZK.tree(LAYOUT.root())).isEqualTo(before);
        assertThat(store.groups()).containsExactly("edge", "internal");
    }

    @Test
    void groupViewsListTheServicesOfEachGroup() {
        store.putService(definition("payments", "/pay", "edge", "internal"), "alice");
        store.putService(definition("billing", "/bill", "edge"), "bob");

        assertThat(store.groupViews()).containsExactly(
                new GroupView("edge", List.of("billing", "payments")),
                new GroupView("internal", List.of("payments")));
    }

    @Test
    void handCorruptedServiceNodeIsReportedWithItsPathAndListingGoesOn() throws Exception {
        store.putService(definition("payments", "/pay", "edge"), "alice");
        ZK.write(LAYOUT.service("broken"), "{not json");
        String handEdited = ZK.text(LAYOUT.service("payments"))
                .replace("\"payments\"", "\"edited\"").replace("\"options\":{}", "\"options\":{\"maxFails\":5000}");
        ZK.write(LAYOUT.service("edited"), handEdited);
        store.putService(definition("zeta", "/z", "edge"), "alice");

        ServiceListing listing = store.services();

        assertThat(listing.services()).extracting(ServiceRecord::id).containsExactly("payments", "zeta");
        assertThat(listing.malformed()).extracting(ServiceListing.MalformedNode::path)
                .containsExactly(LAYOUT.service("broken"), LAYOUT.service("edited"));
        assertThat(listing.malformed().get(1).reason()).contains("definition.options.maxFails");
        assertThatThrownBy(() -> store.service("edited")).isInstanceOf(CorruptNodeException.class)
                .hasMessageContaining(LAYOUT.service("edited"));
    }

    @Test
    void aCorruptServiceCanBeRepairedByPuttingItAgainAndItsOldLocksAreReleased() throws Exception {
        store.putService(definition("payments", "/pay", "edge"), "alice");
        ZK.write(LAYOUT.service("payments"), "{garbage");

        store.putService(definition("payments", "/new", "edge"), "alice");

        assertThat(store.service("payments").orElseThrow().definition().basePath()).isEqualTo("/new");
        assertThat(lockOwner("edge", "/pay")).isNull();
    }

    private static List<Object> race(Callable<?> first, Callable<?> second) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (Callable<?> task : List.of(first, second)) {
                futures.add(pool.submit(() -> {
                    start.await();
                    try {
                        return task.call();
                    } catch (RuntimeException e) {
                        return e;
                    }
                }));
            }
            List<Object> outcomes = new ArrayList<>();
            for (Future<Object> future : futures) {
                outcomes.add(future.get());
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }
}
