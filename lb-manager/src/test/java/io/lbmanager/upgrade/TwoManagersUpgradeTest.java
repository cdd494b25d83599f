package io.lbmanager.upgrade;

import io.lbmanager.errors.ConflictException;
import io.lbmanager.fleet.FleetBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two managers (each its own ZooKeeper session, real server) start an upgrade of the same group at
 * the same moment: one upgrade starts one generation, the other manager gets a conflict (the API's 409).
 */
class TwoManagersUpgradeTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();

    private static final ZkLayout LAYOUT = new ZkLayout("/two-managers");
    private final InMemoryFleet fleet = new InMemoryFleet(3);
    private final CountDownLatch firstInsideBackend = new CountDownLatch(1);
    private final CountDownLatch letFirstFinish = new CountDownLatch(1);

    @Test
    void twoManagersStartingTheSameUpgradeAtOnceStartOneGenerationAndTheOtherGetsAConflict() throws Exception {
        try (CuratorFramework sessionA = session(); CuratorFramework sessionB = session()) {
            UpgradeOperations managerA = manager(sessionA, slowToStart(fleet));
            UpgradeOperations managerB = manager(sessionB, fleet);

            CompletableFuture<UpgradeView> first = CompletableFuture.supplyAsync(
                    () -> managerA.startUpgrade("edge", "nginx:2", 1, 5, 0.0, "alice"));
            assertThat(firstInsideBackend.await(10, TimeUnit.SECONDS)).as("manager A reached the backend").isTrue();
            CompletableFuture<UpgradeView> second = CompletableFuture.supplyAsync(
                    () -> managerB.startUpgrade("edge", "nginx:3", 1, 5, 0.0, "bob"));
            Thread.sleep(300); // B is waiting for A's claim now
            assertThat(second).isNotDone();
            letFirstFinish.countDown();

            UpgradeView won = first.get(20, TimeUnit.SECONDS);
            assertThatThrownBy(() -> second.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(ConflictException.class)
                    .cause().hasMessageContaining("has upgrade " + won.id() + " in progress");
            assertThat(fleet.calls).filteredOn(call -> call.startsWith("start ")).containsExactly("start " + won.id() + " nginx:2 1");
            assertThat(managerB.status("edge").upgrade().id()).isEqualTo(won.id());
        }
    }

    @Test
    void aManagerThatCannotGetTheClaimInTimeGetsAConflictNamingTheOther() throws Exception {
        try (CuratorFramework sessionA = session()) {
            sessionA.create().creatingParentsIfNeeded().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL)
                    .forPath(LAYOUT.fleetUpgrade("stuck") + "-writer", "manager-a".getBytes());
            UpgradeStore store = new UpgradeStore(ZK.curator(), LAYOUT);

            assertThatThrownBy(() -> store.exclusively("stuck", Duration.ofMillis(200), () -> "never"))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("another manager (manager-a)");
        }
        UpgradeStore store = new UpgradeStore(ZK.curator(), LAYOUT);
        assertThat(store.exclusively("stuck", Duration.ofSeconds(5), () -> "claimed once its holder's session ended"))
                .isEqualTo("claimed once its holder's session ended");
    }

    private UpgradeOperations manager(CuratorFramework session, FleetBackend backend) {
        UpgradePolicy policy = new UpgradePolicy(backend, fleet,
                new UpgradePolicy.Timing(Duration.ofSeconds(60), Duration.ofSeconds(2), Duration.ofSeconds(1)), fleet.clock::get);
        return new UpgradeOperations(policy, fleet, new UpgradeStore(session, LAYOUT), "edge"::equals,
                UpgradeSettings.DEFAULTS, Duration.ofSeconds(1), fleet.clock::get);
    }

    /** The same fleet, but starting a generation waits until the test lets it finish. */
    private FleetBackend slowToStart(FleetBackend backend) {
        return (FleetBackend) Proxy.newProxyInstance(FleetBackend.class.getClassLoader(), new Class<?>[]{FleetBackend.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("startGeneration")) {
                        firstInsideBackend.countDown();
                        letFirstFinish.await(20, TimeUnit.SECONDS);
                    }
                    try {
                        return method.invoke(backend, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static CuratorFramework session() throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.newClient(ZK.connectString(), 5_000, 5_000, new RetryNTimes(10, 200));
        client.start();
        assertThat(client.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
        return client;
    }
}
