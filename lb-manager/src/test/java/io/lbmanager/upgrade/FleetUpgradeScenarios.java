package io.lbmanager.upgrade;

import com.github.dockerjava.api.DockerClient;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.errors.ConflictException;
import io.lbmanager.fleet.DockerClients;
import io.lbmanager.fleet.DockerTaskRunner;
import io.lbmanager.fleet.FleetBackend;
import io.lbmanager.fleet.GroupDeployment;
import io.lbmanager.fleet.NginxTask;
import io.lbmanager.fleet.TaskProbes;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.BundlePublisher;
import io.lbmanager.testsupport.DockerSupport;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.Load;
import io.lbmanager.testsupport.NginxBundles;
import io.lbmanager.testsupport.TestImages;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The same upgrade scenarios against every fleet backend: real Nginx + agent containers serving a
 * published config version, steady bounded load through the group's ready tasks the whole time,
 * and the policy in {@link UpgradeOperations} driving the backend. Subclasses say how the backend runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class FleetUpgradeScenarios {

    static final String GROUP = "edge";
    static final ZkLayout LAYOUT = new ZkLayout("/lbm-upgrade-it");
    static final Duration SLOW = Duration.ofSeconds(240);
    static final UpgradePolicy.Timing TIMING =
            new UpgradePolicy.Timing(Duration.ofSeconds(45), Duration.ofSeconds(2), Duration.ofMillis(500));

    Optional<String> whyUnusable;
    DockerClient docker;
    DockerTaskRunner dockerFleet;
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    CuratorFramework client;
    TinyBackend upstream;
    PublishedVersion v1;
    String baseImage;
    String nextImage;
    String brokenImage;
    String crashingImage;
    FleetBackend fleet;
    UpgradeOperations operations;
    final TaskProbes probes = new TaskProbes(Duration.ofSeconds(1));

    /** Starts the backend on these containers with {@code instances} tasks of {@code image} in group {@link #GROUP}. */
    abstract FleetBackend startBackend(DockerTaskRunner containers, String image, int instances) throws Exception;

    abstract void stopBackend();

    @BeforeEach
    void skipWithoutDocker() {
        DockerSupport.assumeUsable(whyUnusable);
    }

    @BeforeAll
    void startFleet() throws Exception {
        baseImage = DockerSupport.image();
        whyUnusable = DockerSupport.whyUnusable(baseImage);
        if (whyUnusable.isPresent()) {
            return;
        }
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        nextImage = baseImage.replaceFirst(":[^:/]*$", "") + ":it-next-" + suffix;
        brokenImage = baseImage.replaceFirst(":[^:/]*$", "") + ":it-broken-" + suffix;
        TestImages.withLabel(baseImage, nextImage, "next");
        TestImages.withBrokenNginx(baseImage, brokenImage);
        crashingImage = baseImage.replaceFirst(":[^:/]*$", "") + ":it-crashing-" + suffix;
        TestImages.exitingAfter(baseImage, crashingImage, "broken nginx image", 3, 2);
        docker = DockerClients.local();
        client = ZK.curator();
        upstream = TinyBackend.answering("A");
        v1 = new BundlePublisher(client, LAYOUT).publish(1, NginxBundles.proxyingTo(GROUP, upstream.port()));
        dockerFleet = new DockerTaskRunner(docker, baseImage, DockerSupport.uniqueFleetName("up"), ZK.connectString(), LAYOUT.root());
        fleet = startBackend(dockerFleet, baseImage, 3);
        operations = new UpgradeOperations(new UpgradePolicy(fleet, probes, TIMING, System::currentTimeMillis), probes,
                new UpgradeStore(client, LAYOUT), GROUP::equals, new UpgradeSettings(1, 2, 0.0), Duration.ofMillis(250),
                System::currentTimeMillis);
        operations.start();
        awaitServing(3, baseImage);
        awaitActiveDeployment(baseImage);
    }

    /** Tasks can serve before their deploy is the active one (Singularity keeps it pending through its health window). */
    void awaitActiveDeployment(String image) throws Exception {
        Await.await(image + " as the group's active deployment, nothing pending", SLOW, () -> {
            try {
                GroupDeployment deployment = fleet.deployment(GROUP);
                return deployment.image().equals(image) && deployment.pendingGeneration().isEmpty();
            } catch (RuntimeException notYet) {
                return false;
            }
        });
    }

    @AfterAll
    void removeEverything() throws Exception {
        try {
            if (operations != null) {
                operations.close();
            }
            stopBackend();
            if (dockerFleet != null) {
                DockerSupport.removeFleet(docker, dockerFleet.fleetName());
            }
        } finally {
            if (nextImage != null) {
                TestImages.remove(nextImage);
                TestImages.remove(brokenImage);
                TestImages.remove(crashingImage);
            }
            if (upstream != null) {
                upstream.close();
            }
            if (docker != null) {
                docker.close();
            }
        }
    }

    @Test
    @Order(1)
    void rollingUpgradeOfThreeInstancesDropsNoRequest() throws Exception {
        try (Load load = startLoad()) {
            UpgradeView started = operations.startUpgrade(GROUP, nextImage, 1, 2, 0.0, "it");
            assertThat(started.state()).isEqualTo(UpgradeState.RUNNING);
            assertThat(started.totalSteps()).isEqualTo(3);

            Set<Integer> stepsSeen = new TreeSet<>();
            UpgradeView done = awaitFinished(stepsSeen);

            assertThat(done.state()).as(done.message()).isEqualTo(UpgradeState.SUCCEEDED);
            assertThat(stepsSeen).contains(1, 2, 3);
            assertNoFailures(load.stop());
        }
        awaitServing(3, nextImage);
        assertThat(operations.status(GROUP).image()).isEqualTo(nextImage);
        assertThat(operations.history(GROUP).get(0).state()).isEqualTo(UpgradeState.SUCCEEDED);
    }

    @Test
    @Order(2)
    void anImageWhoseNginxFailsItsHealthCheckIsRolledBackWhileTheOldOneKeepsServing() throws Exception {
        try (Load load = startLoad()) {
            operations.startUpgrade(GROUP, brokenImage, 1, 2, 0.0, "it");

            UpgradeView done = awaitFinished(new TreeSet<>());

            assertThat(done.state()).as(done.message()).isEqualTo(UpgradeState.ROLLED_BACK);
            assertThat(done.message()).contains("rolled back to " + nextImage);
            assertNoFailures(load.stop());
        }
        awaitServing(3, nextImage);
        assertThat(operations.status(GROUP).image()).isEqualTo(nextImage);
    }

    @Test
    @Order(3)
    void aPausedUpgradeStaysAtItsStepUntilResumed() throws Exception {
        try (Load load = startLoad()) {
            operations.startUpgrade(GROUP, baseImage, 1, 5, 0.0, "it");
            Await.await("step 1 has a ready new task", SLOW, () -> readyTasksOf(baseImage) >= 1);
            UpgradeView paused = operations.pause(GROUP, "alice");
            assertThat(paused.state()).isEqualTo(UpgradeState.PAUSED);

            Thread.sleep(8000);
            FleetStatus during = operations.status(GROUP);
            assertThat(during.upgrade().state()).isEqualTo(UpgradeState.PAUSED);
            assertThat(during.upgrade().step()).isEqualTo(1);
            assertThat(during.tasks().stream().filter(task -> task.image().equals(baseImage))).hasSize(1);

            assertThat(operations.resume(GROUP, "alice").state()).isEqualTo(UpgradeState.RUNNING);
            UpgradeView done = awaitFinished(new TreeSet<>());
            assertThat(done.state()).as(done.message()).isEqualTo(UpgradeState.SUCCEEDED);
            assertNoFailures(load.stop());
        }
        awaitServing(3, baseImage);
    }

    @Test
    @Order(4)
    void cancelLeavesThePreviousImageServing() throws Exception {
        try (Load load = startLoad()) {
            operations.startUpgrade(GROUP, nextImage, 1, 30, 0.0, "it");
            Await.await("step 1 has a ready new task", SLOW, () -> readyTasksOf(nextImage) >= 1);

            UpgradeView cancelled = operations.cancel(GROUP, "bob");

            assertThat(cancelled.state()).isEqualTo(UpgradeState.CANCELLED);
            awaitServing(3, baseImage);
            Await.await("the new image's tasks are gone", SLOW,
                    () -> fleet.tasks(GROUP).stream().noneMatch(task -> task.image().equals(nextImage)));
            assertNoFailures(load.stop());
        }
        assertThat(operations.status(GROUP).image()).isEqualTo(baseImage);
    }

    @Test
    @Order(5)
    void aBlockedGroupRefusesADeployAndSaysWhy() {
        operations.block(GROUP, "change freeze until the sale ends", "alice");

        assertThatThrownBy(() -> operations.startUpgrade(GROUP, nextImage, 1, 2, 0.0, "bob"))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("change freeze until the sale ends").hasMessageContaining("alice");
        assertThat(operations.status(GROUP).blocked().reason()).isEqualTo("change freeze until the sale ends");
        assertThat(fleet.deployment(GROUP).pendingGeneration()).isEmpty();

        operations.unblock(GROUP, "alice");
        assertThat(operations.status(GROUP).blocked()).isNull();
    }

    @Test
    @Order(6)
    void aKilledNginxTaskIsReplacedAndServesTheCurrentConfig() throws Exception {
        NginxTask victim = fleet.tasks(GROUP).get(0);
        try (Load load = startLoad()) {
            dockerFleet.killTask(victim.taskId());

            Await.await("a replacement for " + victim.taskId(), SLOW, () -> {
                List<NginxTask> now = fleet.tasks(GROUP);
                return now.size() == 3 && now.stream().noneMatch(task -> task.taskId().equals(victim.taskId()))
                        && now.stream().allMatch(probes::ready);
            });
            load.stop();
            assertThat(load.sent()).isPositive();
        }
        for (NginxTask task : fleet.tasks(GROUP)) {
            assertThat(Http.tryGet(task.trafficPort(), TaskProbes.VERSION_PATH).body()).isEqualTo("1 " + v1.sha256() + "\n");
        }
    }

    @Test
    @Order(7)
    void scalingUpAndDownKeepsServing() throws Exception {
        try (Load load = startLoad()) {
            assertThat(operations.scale(GROUP, 4, "carol").instances()).isEqualTo(4);
            awaitServing(4, baseImage);

            operations.scale(GROUP, 2, "carol");
            Await.await("2 tasks", SLOW, () -> fleet.tasks(GROUP).size() == 2);
            awaitServing(2, baseImage);
            assertNoFailures(load.stop());
        }
        assertThat(fleet.deployment(GROUP).instances()).isEqualTo(2);
    }

    @Test
    @Order(8)
    void anImageWhoseContainerExitsFailsTheUpgradeWithinSecondsAndSaysWhy() throws Exception {
        String serving = fleet.deployment(GROUP).image();
        int instances = fleet.deployment(GROUP).instances();
        long started = System.nanoTime();
        try (Load load = startLoad()) {
            operations.startUpgrade(GROUP, crashingImage, 1, 2, 0.0, "it");

            UpgradeView done = awaitFinished(new TreeSet<>());
            long tookMillis = (System.nanoTime() - started) / 1_000_000;

            System.out.printf("crashing image: %s after %d ms: %s%n", done.state(), tookMillis, done.message());
            assertThat(done.state()).as(done.message()).isEqualTo(UpgradeState.ROLLED_BACK);
            assertThat(done.message()).contains("rolled back to " + serving, "status 3", "broken nginx image");
            assertThat(tookMillis).as("a crashing image fails the upgrade well before the step timeout").isLessThan(30_000);
            assertNoFailures(load.stop());
        }
        assertThat(operations.history(GROUP).get(0).message()).contains("status 3", "broken nginx image");
        awaitServing(instances, serving);
    }

    Load startLoad() {
        return loadThrough(fleet, GROUP, "/");
    }

    /** Two keep-alive senders over the group's ready tasks, about 5 ms apart each, every answer "A". */
    static Load loadThrough(FleetBackend fleet, String group, String path) {
        return Load.toReadyTasks(fleet, group).path(path).expectBody("A").senders(2).everyMillis(5).keepAlive()
                .maxRequests(200_000).maxTime(Duration.ofMinutes(5)).start();
    }

    long readyTasksOf(String image) {
        return fleet.tasks(GROUP).stream().filter(task -> task.image().equals(image)).filter(probes::ready).count();
    }

    void awaitServing(int instances, String image) throws Exception {
        Await.await(instances + " ready tasks of " + image + " and nothing else", SLOW, () -> {
            List<NginxTask> tasks = fleet.tasks(GROUP);
            return tasks.size() == instances && tasks.stream().allMatch(task -> task.image().equals(image))
                    && tasks.stream().allMatch(probes::ready);
        });
    }

    UpgradeView awaitFinished(Set<Integer> stepsSeen) throws Exception {
        List<String> messages = new ArrayList<>();
        Await.await("the upgrade to finish", SLOW, () -> {
            UpgradeView upgrade = operations.status(GROUP).upgrade();
            stepsSeen.add(upgrade.step());
            if (messages.isEmpty() || !messages.get(messages.size() - 1).equals(upgrade.message())) {
                messages.add(upgrade.message());
            }
            return !upgrade.state().inProgress();
        });
        return operations.status(GROUP).upgrade();
    }

    static void assertNoFailures(Load load) {
        assertThat(load.sent()).as("requests sent").isGreaterThan(50);
        assertThat(load.failed()).as("failed requests of %d: %s", load.sent(), load.firstFailures()).isZero();
        System.out.printf("load: %d requests, %d failed%n", load.sent(), load.failed());
    }
}
