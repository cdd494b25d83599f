package io.lbmanager.upgrade;

import io.lbmanager.errors.ConflictException;
import io.lbmanager.fleet.GenerationProgress;
import io.lbmanager.fleet.NginxTask;
import io.lbmanager.fleet.TaskFailure;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The upgrade state machine over an in-memory fleet and a hand-driven clock. */
class UpgradePolicyTest {

    private static final UpgradePolicy.Timing TIMING =
            new UpgradePolicy.Timing(Duration.ofSeconds(60), Duration.ofSeconds(2), Duration.ofSeconds(1));

    private final InMemoryFleet fleet = new InMemoryFleet(3);
    private final UpgradePolicy policy = new UpgradePolicy(fleet, fleet, TIMING, fleet.clock::get);

    @Test
    void rollingUpgradeReplacesOneTaskPerStepWithoutEverLosingCapacity() {
        UpgradeRecord upgrade = policy.begin("u1", "edge", "nginx:2", new UpgradeSettings(1, 10, 0.01), "ops", false);
        assertThat(upgrade.totalSteps()).isEqualTo(3);
        assertThat(fleet.countImage("nginx:2")).isEqualTo(1);

        List<Integer> steps = new ArrayList<>();
        long minServing = Long.MAX_VALUE;
        for (int second = 0; second < 120 && upgrade.state().inProgress(); second++) {
            upgrade = policy.tick(upgrade);
            steps.add(upgrade.step());
            minServing = Math.min(minServing, fleet.tasks("edge").stream().filter(fleet::ready).count());
            fleet.clock.addAndGet(1000);
        }

        assertThat(upgrade.state()).isEqualTo(UpgradeState.SUCCEEDED);
        assertThat(upgrade.message()).contains("all 3 task(s) run nginx:2");
        assertThat(steps).containsSubsequence(1, 2, 3);
        assertThat(minServing).isGreaterThanOrEqualTo(3);
        assertThat(fleet.countImage("nginx:2")).isEqualTo(3);
        assertThat(fleet.countImage("nginx:1")).isZero();
        assertThat(fleet.calls).containsExactly("start u1 nginx:2 1", "target u1 2", "target u1 3");
    }

    @Test
    void eachStepBakesForItsWholeBakeTimeBeforeTheNextStep() {
        UpgradeRecord upgrade = policy.begin("u1", "edge", "nginx:2", new UpgradeSettings(2, 30, 0.01), "ops", false);
        upgrade = policy.tick(upgrade);
        assertThat(upgrade.phase()).isEqualTo(Phase.BAKING);

        fleet.clock.addAndGet(29_000);
        upgrade = policy.tick(upgrade);
        assertThat(upgrade.step()).isEqualTo(1);
        assertThat(upgrade.message()).contains("baking 29 s of 30 s");

        fleet.clock.addAndGet(1_000);
        upgrade = policy.tick(upgrade);
        assertThat(upgrade.step()).isEqualTo(2);
        assertThat(upgrade.target()).isEqualTo(3);
    }

    @Test
    void newTasksThatCrashMoreOftenThanTheBudgetFailTheStepAtOnceAndSayWhy() {
        fleet.unhealthyImages.add("nginx:crashing");
        UpgradeRecord upgrade = policy.begin("u1", "edge", "nginx:crashing", new UpgradeSettings(1, 5, 0.01, 2), "ops", false);
        List<TaskFailure> failures = new ArrayList<>();
        fleet.failures.put("u1", failures);

        for (int crash = 1; crash <= 2; crash++) {
            failures.add(new TaskFailure("t" + crash, "exited with status 3", List.of("broken nginx image"), fleet.clock.get()));
            upgrade = policy.tick(upgrade);
            assertThat(upgrade.phase()).as("within the budget after %d crash(es)", crash).isEqualTo(Phase.LAUNCHING);
            fleet.clock.addAndGet(1000);
        }
        failures.add(new TaskFailure("t3", "exited with status 3", List.of("broken nginx image"), fleet.clock.get()));
        upgrade = policy.tick(upgrade);
        assertThat(upgrade.phase()).isEqualTo(Phase.REVERTING);
        upgrade = policy.tick(upgrade);

        assertThat(upgrade.state()).isEqualTo(UpgradeState.ROLLED_BACK);
        assertThat(upgrade.message()).contains("rolled back to nginx:1", "step 1/3", "3 failure(s) of new tasks, crash budget 2",
                "task t3 exited with status 3; last output: broken nginx image");
        assertThat(fleet.calls).contains("cancel u1");
        assertThat(fleet.tasks("edge")).extracting(NginxTask::image).containsOnly("nginx:1").hasSize(3);
    }

    @Test
    void aCrashWhileBakingFailsTheStepToo() {
        UpgradeRecord upgrade = policy.begin("u1", "edge", "nginx:2", new UpgradeSettings(1, 30, 0.01, 0), "ops", false);
        upgrade = policy.tick(upgrade);
        assertThat(upgrade.phase()).isEqualTo(Phase.BAKING);

        fleet.failures.put("u1", List.of(new TaskFailure("t4", "exited with status 139", List.of(), fleet.clock.get())));
        upgrade = policy.tick(upgrade);

        assertThat(upgrade.phase()).isEqualTo(Phase.REVERTING);
        assertThat(upgrade.message()).contains("crash budget 0", "task t4 exited with status 139");
    }

    @Test
    void newTasksThatNeverGetReadyAreRolledBackAfterTheStepTimeout() {
        fleet.unhealthyImages.add("nginx:broken");
        UpgradeRecord upgrade = policy.begin("u1", "edge", "nginx:broken", new UpgradeSettings(1, 5, 0.01), "ops", false);

        for (int second = 0; second < 90 && upgrade.state().inProgress(); second++) {
            upgrade = policy.tick(upgrade);
            assertThat(fleet.tasks("edge").stream().filter(task -> task.image().equals("nginx:1"))).hasSize(3);
            fleet.clock.addAndGet(1000);
        }

        assertThat(upgrade.state()).isEqualTo(UpgradeState.ROLLED_BACK);
        assertThat(upgrade.message()).contains("rolled back to nginx:1").contains("only 0 of 1 new task(s) ready")
                .contains("; task t4 not ready: /ready answered 503 nginx failed to start; last output: "
                        + "bind() to 127.0.0.1:10004 failed (98: Address already in use)");
        assertThat(fleet.tasks("edge")).extracting(NginxTask::image).containsOnly("nginx:1").hasSize(3);
        assertThat(fleet.calls).contains("cancel u1");
    }

    @Test
    void errorRateAboveTheThresholdDuringTheBakeRollsBack() {
        fleet.failingTraffic.add("nginx:2");
        UpgradeRecord upgrade = policy.begin("u1", "edge", "nginx:2", new UpgradeSettings(1, 10, 0.05), "ops", false);

        for (int second = 0; second < 30 && upgrade.state().inProgress(); second++) {
            upgrade = policy.tick(upgrade);
            fleet.clock.addAndGet(1000);
        }

        assertThat(upgrade.state()).isEqualTo(UpgradeState.ROLLED_BACK);
        assertThat(upgrade.message()).contains("step 1/3: error rate 100.0% (1 of 1 probes) above 5.0%");
        assertThat(fleet.deployment("edge").image()).isEqualTo("nginx:1");
    }

    @Test
    void aPausedUpgradeHoldsItsStepAndResumesWhereItWas() {
        UpgradeRecord upgrade = policy.begin("u1", "edge", "nginx:2", new UpgradeSettings(1, 5, 0.01), "ops", false);
        upgrade = policy.tick(upgrade);
        upgrade = policy.pause(upgrade, "alice");
        assertThat(upgrade.state()).isEqualTo(UpgradeState.PAUSED);

        for (int second = 0; second < 60; second++) {
            upgrade = policy.tick(upgrade);
            fleet.clock.addAndGet(1000);
        }
        assertThat(upgrade.step()).isEqualTo(1);
        assertThat(fleet.countImage("nginx:2")).isEqualTo(1);
        assertThat(fleet.calls).filteredOn(call -> call.equals("target u1 1")).isNotEmpty();
        UpgradeRecord paused = upgrade;
        assertThatThrownBy(() -> policy.pause(paused, "alice")).hasMessageContaining("it is PAUSED");

        upgrade = policy.resume(upgrade, "alice");
        for (int second = 0; second < 120 && upgrade.state().inProgress(); second++) {
            upgrade = policy.tick(upgrade);
            fleet.clock.addAndGet(1000);
        }
        assertThat(upgrade.state()).isEqualTo(UpgradeState.SUCCEEDED);
    }

    @Test
    void cancelLeavesThePreviousImageServing() {
        UpgradeRecord upgrade = policy.begin("u1", "edge", "nginx:2", new UpgradeSettings(1, 5, 0.01), "ops", false);
        upgrade = policy.tick(upgrade);

        upgrade = policy.cancel(upgrade, "bob");

        assertThat(upgrade.state()).isEqualTo(UpgradeState.CANCELLED);
        assertThat(upgrade.message()).contains("cancelled by bob at step 1/3");
        assertThat(fleet.tasks("edge")).extracting(NginxTask::image).containsOnly("nginx:1").hasSize(3);
        UpgradeRecord cancelled = upgrade;
        assertThatThrownBy(() -> policy.resume(cancelled, "bob")).hasMessageContaining("it is CANCELLED");
    }

    @Test
    void rollbackAfterTheNewGenerationBecameActiveRollsThePreviousImageOutAgain() {
        UpgradeRecord upgrade = policy.begin("u1", "edge", "nginx:2", new UpgradeSettings(3, 0, 0.01), "ops", false);
        upgrade = policy.tick(upgrade);
        upgrade = policy.tick(upgrade);
        fleet.clock.addAndGet(3000);
        fleet.tasks("edge");
        assertThat(fleet.deployment("edge").image()).isEqualTo("nginx:2");

        upgrade = policy.rollBack(upgrade, "carol");
        for (int second = 0; second < 30 && upgrade.state().inProgress(); second++) {
            upgrade = policy.tick(upgrade);
            fleet.clock.addAndGet(1000);
        }

        assertThat(upgrade.state()).isEqualTo(UpgradeState.ROLLED_BACK);
        assertThat(upgrade.message()).contains("rollback requested by carol");
        assertThat(fleet.deployment("edge").image()).isEqualTo("nginx:1");
        assertThat(fleet.calls).contains("start u1_r nginx:1 3");
    }

    @Test
    void anUpgradeTheBackendFinishedWhileThePolicyWasAwayEndsSucceededOnTheNextTick() {
        UpgradeRecord upgrade = policy.begin("u1", "edge", "nginx:2", new UpgradeSettings(1, 10, 0.01), "ops", false);
        upgrade = policy.tick(upgrade);
        fleet.endPendingByItself(new GenerationProgress.Succeeded());

        upgrade = policy.tick(upgrade);

        assertThat(upgrade.state()).isEqualTo(UpgradeState.SUCCEEDED);
        assertThat(upgrade.message()).contains("all 3 task(s) run nginx:2").contains("at step 1/3 while the policy did not drive it");
        assertThat(fleet.calls).containsExactly("start u1 nginx:2 1");
        assertThat(policy.tick(upgrade)).isSameAs(upgrade);
    }

    @Test
    void aPausedUpgradeTheBackendGaveUpOnEndsRolledBackInsteadOfHoldingForEver() {
        UpgradeRecord upgrade = policy.begin("u1", "edge", "nginx:2", new UpgradeSettings(1, 10, 0.01), "ops", false);
        upgrade = policy.pause(policy.tick(upgrade), "alice");
        fleet.endPendingByItself(new GenerationProgress.Failed("FAILED: task lb-nginx-edge-u1-1 failed health checks"));

        fleet.clock.addAndGet(5_000);
        upgrade = policy.tick(upgrade);

        assertThat(upgrade.state()).isEqualTo(UpgradeState.ROLLED_BACK);
        assertThat(upgrade.message()).contains("rolled back to nginx:1").contains("failed health checks");
        assertThat(fleet.calls).doesNotContain("target u1 1");
    }

    @Test
    void cancellingAnUpgradeTheBackendAlreadyMadeActiveIsRefusedWithRollbackAdvice() {
        UpgradeRecord upgrade = policy.begin("u1", "edge", "nginx:2", new UpgradeSettings(1, 10, 0.01), "ops", false);
        fleet.endPendingByItself(new GenerationProgress.Succeeded());
        UpgradeRecord running = upgrade;

        assertThatThrownBy(() -> policy.cancel(running, "bob")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("already made nginx:2 the active image; roll back instead");
        assertThat(fleet.calls).doesNotContain("cancel u1");
    }
}
