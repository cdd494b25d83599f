package io.lbmanager.upgrade;

import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** An upgrade lives in ZooKeeper: a new manager (new operations, new policy) carries on where the last one stopped. */
class UpgradeOperationsRestartTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();

    private static final ZkLayout LAYOUT = new ZkLayout("/restart-test");
    private final InMemoryFleet fleet = new InMemoryFleet(3);

    private UpgradeOperations manager() {
        UpgradePolicy policy = new UpgradePolicy(fleet, fleet,
                new UpgradePolicy.Timing(Duration.ofSeconds(60), Duration.ofSeconds(2), Duration.ofSeconds(1)), fleet.clock::get);
        return new UpgradeOperations(policy, fleet, new UpgradeStore(ZK.curator(), LAYOUT), "edge"::equals,
                UpgradeSettings.DEFAULTS, Duration.ofSeconds(1), fleet.clock::get);
    }

    @Test
    void aRestartedManagerFinishesTheUpgradeAndKeepsItsHistory() {
        UpgradeOperations first = manager();
        first.startUpgrade("edge", "nginx:2", 1, 5, 0.0, "ops");
        for (int i = 0; i < 8; i++) {
            first.tickAll();
            fleet.clock.addAndGet(1000);
        }
        UpgradeView midway = first.status("edge").upgrade();
        assertThat(midway.step()).isEqualTo(2);
        first.close();

        UpgradeOperations second = manager();
        assertThat(second.status("edge").upgrade()).isEqualTo(midway);
        for (int i = 0; i < 60 && second.status("edge").upgrade().state().inProgress(); i++) {
            second.tickAll();
            fleet.clock.addAndGet(1000);
        }

        assertThat(second.status("edge").upgrade().state()).isEqualTo(UpgradeState.SUCCEEDED);
        assertThat(second.status("edge").upgrade().id()).isEqualTo(midway.id());
        assertThat(fleet.calls).containsExactly("start " + midway.id() + " nginx:2 1", "target " + midway.id() + " 2",
                "target " + midway.id() + " 3");
        assertThat(second.history("edge")).extracting(UpgradeView::state).containsExactly(UpgradeState.SUCCEEDED);
    }

    @Test
    void onlyTheLeaderAdvancesUpgradesWhileAnyManagerAnswers() {
        UpgradeOperations leader = manager();
        UpgradeOperations follower = manager().tickingOnlyWhen(() -> false);
        follower.startUpgrade("edge", "nginx:2", 1, 0, 0.0, "ops");

        for (int i = 0; i < 10; i++) {
            follower.tickAll();
            fleet.clock.addAndGet(1000);
        }
        assertThat(follower.status("edge").upgrade().step()).isEqualTo(1);

        for (int i = 0; i < 30 && leader.status("edge").upgrade().state().inProgress(); i++) {
            leader.tickAll();
            fleet.clock.addAndGet(1000);
        }
        assertThat(follower.status("edge").upgrade().state()).isEqualTo(UpgradeState.SUCCEEDED);
    }

    @Test
    void aBlockSurvivesARestart() {
        manager().block("edge", "freeze", "alice");

        assertThat(manager().status("edge").blocked().reason()).isEqualTo("freeze");
        manager().unblock("edge", "alice");
        assertThat(manager().status("edge").blocked()).isNull();
    }
}
