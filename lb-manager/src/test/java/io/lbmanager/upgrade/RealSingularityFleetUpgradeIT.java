package io.lbmanager.upgrade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lbmanager.fleet.BackendRefusedException;
import io.lbmanager.fleet.DockerTaskRunner;
import io.lbmanager.fleet.FleetBackend;
import io.lbmanager.fleet.NginxTask;
import io.lbmanager.fleet.singularity.SingularityFleet;
import io.lbmanager.fleet.singularity.SingularityHttp;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.Load;
import io.lbmanager.testsupport.singularity.MesosMasterStandIn;
import io.lbmanager.testsupport.singularity.RealSingularity;
import io.lbmanager.testsupport.singularity.StandInAgent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The upgrade scenarios on SingularityFleet against the real SingularityService 1.5.0, whose Mesos
 * master is {@link MesosMasterStandIn}: six loopback agents (SEPARATE_BY_REQUEST needs old + new
 * instance count during a deploy), tasks as real containers of the image under test. Only the
 * scenarios that show Singularity's own behaviour run here; the rest run on Docker and the simulator.
 */
class RealSingularityFleetUpgradeIT extends FleetUpgradeScenarios {

    static final int AGENTS = 6;

    MesosMasterStandIn master;
    RealSingularity singularity;
    SingularityFleet singularityFleet;

    @Override
    FleetBackend startBackend(DockerTaskRunner containers, String image, int instances) throws Exception {
        Optional<String> noJar = RealSingularity.whyUnusable();
        assumeTrue(noJar.isEmpty(), () -> "skipped: " + noJar.orElse(""));
        master = MesosMasterStandIn.start(StandInAgent.onLoopback(AGENTS, StandInAgent.freePortRange(AGENTS * 10), 10,
                Map.of("lb-group", GROUP)), docker, containers.fleetName());
        singularity = RealSingularity.start(ZK.port(), master, Path.of("target", "singularity-it", containers.fleetName()),
                "singularity", List.of());
        singularityFleet = new SingularityFleet(new SingularityHttp(singularity.baseUrl(), Optional.empty(),
                Duration.ofSeconds(2), Duration.ofSeconds(20), 2), "lb-nginx-");
        SingularityGroupFiles.submitFirstDeploy(singularityFleet, GROUP, instances, image, ZK.connectString(), LAYOUT.root(),
                deploy -> { });
        return singularityFleet;
    }

    @Override
    void stopBackend() {
        if (singularity != null) {
            singularity.close();
        }
        if (master != null) {
            master.close();
        }
    }

    /**
     * Singularity counts tasks it is still killing when it checks a new deploy's placement ("Not enough
     * active agents ... minimum required: 7, current: 6" right after the previous deploy ended).
     */
    @BeforeEach
    void onlyTheGroupsTasksRun() throws Exception {
        if (master != null) {
            Await.await("3 tasks running, none being killed, as Singularity sees them", SLOW, () -> {
                Http.Response answer = Http.tryGet(singularity.port(),
                        "/singularity/api/tasks/ids/request/" + singularityFleet.requestId(GROUP));
                if (answer.status() != 200) {
                    return false;
                }
                JsonNode ids = new ObjectMapper().readTree(answer.body());
                return master.runningTasks().size() == 3 && ids.path("healthy").size() == 3
                        && ids.path("cleaning").isEmpty() && ids.path("killed").isEmpty()
                        && ids.path("notYetHealthy").isEmpty() && ids.path("pending").isEmpty();
            });
        }
    }

    /** Also: never more than instances + step size tasks running, and old tasks retired step by step. */
    @Override
    @Test
    @Order(1)
    void rollingUpgradeOfThreeInstancesDropsNoRequest() throws Exception {
        try (Capacity capacity = new Capacity(master, fleet)) {
            super.rollingUpgradeOfThreeInstancesDropsNoRequest();
            capacity.assertWithinOneStep();
            capacity.assertOldTasksDrainedBeforeTheirKill();
            assertThat(capacity.oldLeftWhileMixed).as("old tasks retired one step at a time").contains(2, 1);
        }
    }

    /** Also: the rollback runs within instances + step size. */
    @Override
    @Test
    @Order(2)
    void anImageWhoseNginxFailsItsHealthCheckIsRolledBackWhileTheOldOneKeepsServing() throws Exception {
        try (Capacity capacity = new Capacity(master, fleet)) {
            super.anImageWhoseNginxFailsItsHealthCheckIsRolledBackWhileTheOldOneKeepsServing();
            capacity.assertWithinOneStep();
        }
    }

    /** {@code lbm rollback} after a successful upgrade: a new rolling deploy back to the previous image, under load. */
    @Test
    @Order(3)
    void aRollbackAfterASuccessfulUpgradeRollsBackStepByStepUnderLoad() throws Exception {
        String from = fleet.deployment(GROUP).image();
        String previous = operations.history(GROUP).stream().filter(upgrade -> upgrade.state() == UpgradeState.SUCCEEDED)
                .findFirst().orElseThrow().fromImage();
        assertThat(previous).isNotEqualTo(from);
        try (Capacity capacity = new Capacity(master, fleet); Load load = startLoad()) {
            UpgradeView started = operations.rollback(GROUP, "dave");
            assertThat(started.state()).isEqualTo(UpgradeState.RUNNING);

            Set<Integer> stepsSeen = new TreeSet<>();
            UpgradeView done = awaitFinished(stepsSeen);

            assertThat(done.state()).as(done.message()).isEqualTo(UpgradeState.SUCCEEDED);
            assertThat(stepsSeen).contains(1, 2, 3);
            assertNoFailures(load.stop());
            capacity.assertWithinOneStep();
            capacity.assertOldTasksDrainedBeforeTheirKill();
        }
        awaitServing(3, previous);
        awaitActiveDeployment(previous);
    }

    @Test
    @Order(8)
    void aScaleSingularityRefusesComesBackInItsWords() {
        assertThatThrownBy(() -> operations.scale(GROUP, 10, "carol"))
                .isInstanceOfSatisfying(BackendRefusedException.class, refused -> {
                    assertThat(refused.refusal()).isTrue();
                    assertThat(refused.status()).isEqualTo(400);
                    assertThat(refused.words()).contains("Not enough active agents").contains("minimum required: 1");
                });
        assertThat(fleet.deployment(GROUP).instances()).isEqualTo(3);
    }

    @Test
    @Order(9)
    void anUpgradeSingularityFinishedWhileTheManagerWasDownEndsOnTheFirstTickAfterRestart() throws Exception {
        String from = fleet.deployment(GROUP).image();
        String to = from.equals(baseImage) ? nextImage : baseImage;
        operations.startUpgrade(GROUP, to, 1, 2, 0.0, "it");
        Await.await("step 1 has a ready new task", SLOW, () -> readyTasksOf(to) >= 1);
        operations.close();

        awaitActiveDeployment(to);
        assertThat(operations.status(GROUP).upgrade().state()).as("the stopped manager's record").isEqualTo(UpgradeState.RUNNING);
        operations = new UpgradeOperations(new UpgradePolicy(fleet, probes, TIMING, System::currentTimeMillis), probes,
                new UpgradeStore(client, LAYOUT), GROUP::equals, new UpgradeSettings(1, 2, 0.0), Duration.ofMillis(250),
                System::currentTimeMillis);
        operations.start();

        UpgradeView done = awaitFinished(new TreeSet<>());
        assertThat(done.state()).as(done.message()).isEqualTo(UpgradeState.SUCCEEDED);
        assertThat(done.message()).contains("while the policy did not drive it");
        assertThat(operations.status(GROUP).image()).isEqualTo(to);
        awaitServing(3, to);
    }

    /** The manager goes away at step 1 and comes back before Singularity's own timer would advance: it drives the rest. */
    @Test
    @Order(10)
    void anUpgradeSurvivesAManagerRestartMidUpgradeAndCarriesOnUnderLoad() throws Exception {
        String from = fleet.deployment(GROUP).image();
        String to = from.equals(baseImage) ? nextImage : baseImage;
        Set<Integer> stepsAfterRestart = new TreeSet<>();
        try (Capacity capacity = new Capacity(master, fleet); Load load = startLoad()) {
            operations.startUpgrade(GROUP, to, 1, 5, 0.0, "it");
            Await.await("step 1 has a ready new task", SLOW, () -> readyTasksOf(to) >= 1);
            operations.close();
            Thread.sleep(1000);
            operations = new UpgradeOperations(new UpgradePolicy(fleet, probes, TIMING, System::currentTimeMillis), probes,
                    new UpgradeStore(client, LAYOUT), GROUP::equals, new UpgradeSettings(1, 2, 0.0), Duration.ofMillis(250),
                    System::currentTimeMillis);
            operations.start();

            UpgradeView done = awaitFinished(stepsAfterRestart);

            assertThat(done.state()).as(done.message()).isEqualTo(UpgradeState.SUCCEEDED);
            assertThat(done.message()).doesNotContain("while the policy did not drive it");
            assertThat(stepsAfterRestart).as("steps the restarted manager drove").contains(2, 3);
            assertNoFailures(load.stop());
            capacity.assertWithinOneStep();
            capacity.assertOldTasksDrainedBeforeTheirKill();
        }
        awaitServing(3, to);
    }

    @Override
    @Test
    @Disabled("kept lean on the real server: runs on Docker and the simulator")
    void cancelLeavesThePreviousImageServing() {
    }

    @Override
    @Test
    @Disabled("kept lean on the real server: pausing holds a step the same way as an upgrade does; runs on Docker and the simulator")
    void aPausedUpgradeStaysAtItsStepUntilResumed() {
    }

    @Override
    @Test
    @Disabled("kept lean on the real server: runs on Docker and the simulator")
    void aBlockedGroupRefusesADeployAndSaysWhy() {
    }

    @Override
    @Test
    @Disabled("kept lean on the real server: runs on Docker and the simulator")
    void aKilledNginxTaskIsReplacedAndServesTheCurrentConfig() {
    }

    @Override
    @Test
    @Disabled("kept lean on the real server: runs on Docker and the simulator; the refused scale runs here")
    void scalingUpAndDownKeepsServing() {
    }

    /**
     * Samples the tasks the master runs every 100 ms: never more than instances (3) + step size (1). And the
     * fleet's task list (what the load, like an upstream load balancer, sends to): every old task the scheduler
     * kills left that list at least {@link #MIN_DRAIN_MILLIS} before the kill (fleet.drainMillis is 2 s).
     */
    static final class Capacity implements AutoCloseable {
        static final long MIN_DRAIN_MILLIS = 1000;
        final List<Integer> running = new CopyOnWriteArrayList<>();
        final Set<Integer> oldLeftWhileMixed = new ConcurrentSkipListSet<>();
        final Map<String, Long> oldLeftTheListAt = new ConcurrentHashMap<>();
        private final Set<String> oldTaskIds;
        private final MesosMasterStandIn master;
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

        Capacity(MesosMasterStandIn master, FleetBackend fleet) {
            this.master = master;
            this.oldTaskIds = master.runningTasks();
            sampler.scheduleWithFixedDelay(() -> {
                Set<String> now = master.runningTasks();
                long old = now.stream().filter(oldTaskIds::contains).count();
                running.add(now.size());
                if (old > 0 && old < now.size()) {
                    oldLeftWhileMixed.add((int) old);
                }
                try {
                    Set<String> listed = fleet.tasks(GROUP).stream().map(NginxTask::taskId).collect(Collectors.toSet());
                    long at = System.currentTimeMillis();
                    oldTaskIds.stream().filter(id -> !listed.contains(id)).forEach(id -> oldLeftTheListAt.putIfAbsent(id, at));
                } catch (RuntimeException singularityBusy) {
                    // the next sample reads it again
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
        }

        void assertWithinOneStep() {
            System.out.printf("running tasks sampled %d times, max %d; old tasks left while mixed: %s%n", running.size(),
                    running.stream().mapToInt(Integer::intValue).max().orElse(0), oldLeftWhileMixed);
            assertThat(running).as("running tasks (instances 3 + step 1)").isNotEmpty().allMatch(count -> count <= 4);
        }

        /** Every old task killed while sampling left the fleet's task list long enough before its kill. */
        void assertOldTasksDrainedBeforeTheirKill() {
            Map<String, Long> kills = master.killCalls();
            Map<String, Long> drainedMillis = new TreeMap<>();
            oldTaskIds.stream().filter(kills::containsKey).forEach(id -> drainedMillis.put(id,
                    kills.get(id) - oldLeftTheListAt.getOrDefault(id, Long.MAX_VALUE / 2)));
            System.out.printf("old tasks killed, ms out of the task list before the kill: %s%n", drainedMillis);
            assertThat(drainedMillis).as("old tasks killed").isNotEmpty();
            assertThat(drainedMillis).as("ms each old task was out of the task list before its kill")
                    .allSatisfy((id, millis) -> assertThat(millis).as(id).isGreaterThanOrEqualTo(MIN_DRAIN_MILLIS));
        }

        @Override
        public void close() {
            sampler.shutdownNow();
        }
    }
}
