package io.lbmanager.routes;

import io.lbmanager.contract.AgentState;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.rollout.AgentDirectory;
import io.lbmanager.rollout.GroupPin;
import io.lbmanager.rollout.RolloutCoordinator;
import io.lbmanager.rollout.RolloutRecord;
import io.lbmanager.rollout.RolloutStore;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Optional;

import static io.lbmanager.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Routes rollouts against a real ZooKeeper, with agents' status nodes written by hand. */
class RoutesRolloutTest {

    private static final ZkLayout LAYOUT = new ZkLayout("/lb-manager");
    private static final Duration WITHIN = Duration.ofSeconds(10);

    @RegisterExtension
    final ZooKeeperExtension zk = ZooKeeperExtension.perTest();
    private RoutesRolloutStore store;
    private RolloutStore rollouts;
    private RoutesRollout rollout;

    @BeforeEach
    void start() {
        store = new RoutesRolloutStore(new io.lbmanager.zk.ZkNodes(zk.curator()), LAYOUT);
        rollouts = new RolloutStore(zk.curator(), LAYOUT);
        rollout = new RoutesRollout(store, new RoutesPublisher(zk.curator(), LAYOUT, 5, Optional.empty()), rollouts,
                new AgentDirectory(zk.curator(), LAYOUT), Duration.ofSeconds(2), () -> true);
    }

    @AfterEach
    void stop() {
        rollout.close();
    }

    @Test
    void aTableIsLiveWhenEveryAgentConfirmedItAndTheHistorySaysRoutes() throws Exception {
        report("a1", 0, 0, null);
        report("a2", 0, 0, null);
        assertThat(rollout.propose(RoutesPublisherTest.table(10), "ten")).isInstanceOf(RolloutCoordinator.Proposal.Started.class);

        report("a1", 1, 0, null);
        assertThat(liveVersion()).as("one agent of two confirmed").isZero();
        report("a2", 1, 0, null);

        await("routes version 1 live", WITHIN, () -> liveVersion() == 1);
        RolloutRecord finished = rollouts.history("edge", 5).get(0);
        assertThat(finished.kind()).isEqualTo(RolloutRecord.Kind.ROUTES);
        assertThat(finished.state()).isEqualTo(RolloutRecord.State.SUCCEEDED);
        assertThat(rollouts.target("edge").value()).as("the config target is untouched").isEmpty();
    }

    @Test
    void anAgentsRefusalRevertsTheRoutesTargetToWhatWasLive() throws Exception {
        report("a1", 0, 0, null);
        rollout.propose(RoutesPublisherTest.table(10), "ten");
        report("a1", 1, 0, null);
        await("routes version 1 live", WITHIN, () -> liveVersion() == 1);
        rollout.propose(RoutesPublisherTest.table(11), "eleven");
        assertThat(targetVersion()).isEqualTo(2);

        report("a1", 1, 2, "nginx refused routes version 2: line 3: bad");

        await("routes version 2 reverted", WITHIN,
                () -> store.rollout("edge").value().orElseThrow().state() == RolloutRecord.State.REVERTED);
        assertThat(targetVersion()).isEqualTo(1);
        assertThat(store.rollout("edge").value().orElseThrow().failures())
                .containsExactly(new RolloutRecord.AgentFailure("a1", "nginx refused routes version 2: line 3: bad"));
        assertThat(rollout.propose(RoutesPublisherTest.table(11), "again"))
                .as("the refused table is not published again").isInstanceOf(RolloutCoordinator.Proposal.PreviouslyReverted.class);
    }

    @Test
    void anAgentThatDoesNotConfirmByTheDeadlineRevertsTheTable() throws Exception {
        report("a1", 0, 0, null);
        rollout.propose(RoutesPublisherTest.table(3), "three");
        report("a1", 1, 0, null);
        await("routes version 1 live", WITHIN, () -> liveVersion() == 1);

        rollout.propose(RoutesPublisherTest.table(4), "four");

        await("routes version 2 reverted at its deadline", WITHIN,
                () -> store.rollout("edge").value().orElseThrow().state() == RolloutRecord.State.REVERTED);
        assertThat(store.rollout("edge").value().orElseThrow().timedOut()).isTrue();
        assertThat(targetVersion()).isEqualTo(1);
    }

    @Test
    void aTableProposedDuringARolloutGoesOutWhenItIsLive() throws Exception {
        report("a1", 0, 0, null);
        rollout.propose(RoutesPublisherTest.table(3), "three");
        assertThat(rollout.propose(RoutesPublisherTest.table(5), "five")).isInstanceOf(RolloutCoordinator.Proposal.Waiting.class);

        report("a1", 1, 0, null);

        await("the waiting table is published as version 2", WITHIN, () -> targetVersion() == 2);
    }

    @Test
    void aPinnedGroupGetsNoNewTable() throws Exception {
        rollouts.pin("edge", new GroupPin("ops", "incident", 1L));

        assertThat(rollout.propose(RoutesPublisherTest.table(3), "three")).isInstanceOf(RolloutCoordinator.Proposal.Pinned.class);
        assertThat(targetVersion()).isZero();
    }

    private long liveVersion() throws Exception {
        return store.live("edge").value().map(PublishedVersion::version).orElse(0L);
    }

    private long targetVersion() throws Exception {
        return store.target("edge").value().map(PublishedVersion::version).orElse(0L);
    }

    private void report(String agentId, long routesVersion, long routesFailed, String routesError) throws Exception {
        zk.write(LAYOUT.agent("edge", agentId), Json.write(new AgentStatus(agentId, "edge", "127.0.0.1", 8080, 8081, 1, null,
                AgentState.READY, null, 0, 1, AgentStatus.UPSTREAMS_DYNAMIC, 0, null, System.currentTimeMillis(), 0, null, routesVersion,
                routesFailed, routesError)));
    }
}
