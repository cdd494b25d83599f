package io.lbmanager.rollout;

import com.codahale.metrics.MetricRegistry;
import io.lbmanager.contract.AgentState;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static io.lbmanager.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coordinator against a real ZooKeeper, with agents played by hand-written status nodes. It is
 * never started, so no periodic tick runs: everything it does after a proposal, it does because an
 * agent's report arrived.
 */
class RolloutCoordinatorTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();

    private static final Duration WITHIN = Duration.ofSeconds(20);
    private static int rootCount;

    private ZkLayout layout;
    private RolloutStore store;
    private VersionPublisher publisher;
    private RolloutCoordinator coordinator;
    private final AtomicInteger rendersAskedFor = new AtomicInteger();
    private RenderRequests renders;

    @BeforeEach
    void createCoordinator() {
        layout = new ZkLayout("/lbm-" + rootCount++);
        store = new RolloutStore(ZK.curator(), layout);
        publisher = new VersionPublisher(ZK.curator(), layout, 20);
        AgentDirectory agents = new AgentDirectory(ZK.curator(), layout);
        renders = new RenderRequests(0, 0);
        renders.serve(rendersAskedFor::incrementAndGet);
        coordinator = new RolloutCoordinator(store, publisher, agents, Duration.ofMinutes(5), () -> true, () -> Set.of("edge"),
                renders, RolloutMetrics.register(new MetricRegistry(), () -> Set.of("edge"), store,
                new GroupStatusStore(ZK.curator(), layout), agents));
    }

    @AfterEach
    void stopCoordinator() {
        coordinator.stop();
        renders.close();
    }

    @Test
    void rolloutGoesLiveOnTheAgentsReportsAloneAndAsksForNoRender() throws Exception {
        report("a1", AgentState.READY, 0, 0);
        report("a2", AgentState.READY, 0, 0);

        assertThat(coordinator.propose(bundle("one"), "test")).isInstanceOf(RolloutCoordinator.Proposal.Started.class);
        report("a1", AgentState.READY, 1, 0);
        report("a2", AgentState.READY, 1, 0);

        await("version 1 live", WITHIN, () -> liveVersion() == 1);
        assertThat(coordinator.propose(bundle("one"), "same again")).isInstanceOf(RolloutCoordinator.Proposal.Unchanged.class);
        assertThat(rendersAskedFor.get()).as("nothing changed while version 1 went out").isZero();
    }

    @Test
    void newestBundleProposedDuringARolloutGoesOutAsSoonAsThatRolloutIsLive() throws Exception {
        report("a1", AgentState.READY, 0, 0);
        report("a2", AgentState.READY, 0, 0);
        coordinator.propose(bundle("one"), "first");

        assertThat(coordinator.propose(bundle("two"), "second")).isInstanceOf(RolloutCoordinator.Proposal.Waiting.class);
        assertThat(coordinator.propose(bundle("three"), "third")).isInstanceOf(RolloutCoordinator.Proposal.Waiting.class);
        assertThat(coordinator.propose(bundle("one"), "in flight already")).isInstanceOf(RolloutCoordinator.Proposal.Unchanged.class);
        assertThat(coordinator.propose(bundle("three"), "third again")).isInstanceOf(RolloutCoordinator.Proposal.Waiting.class);
        report("a1", AgentState.READY, 1, 0);
        report("a2", AgentState.READY, 1, 0);

        await("the waiting bundle published as version 2", WITHIN, () -> targetVersion() == 2);
        assertThat(publisher.storedBundle("edge", 2)).isEqualTo(bundle("three"));
        assertThat(publisher.storedVersionNumbers("edge")).containsExactly(1L, 2L);
        RolloutRecord second = store.rollout("edge").value().orElseThrow();
        assertThat(second.inProgress()).isTrue();
        assertThat(second.fromVersion()).isEqualTo(1);
        assertThat(second.cause()).isEqualTo("third again");
        await("the pipeline asked to render again", WITHIN, () -> rendersAskedFor.get() == 1);

        report("a1", AgentState.READY, 2, 0);
        report("a2", AgentState.READY, 2, 0);
        await("version 2 live", WITHIN, () -> liveVersion() == 2);
    }

    @Test
    void bundleThatWaitedIsDroppedWhenTheRolloutInFlightReverts() throws Exception {
        report("a1", AgentState.READY, 0, 0);
        coordinator.propose(bundle("one"), "first");
        report("a1", AgentState.READY, 1, 0);
        await("version 1 live", WITHIN, () -> liveVersion() == 1);
        coordinator.propose(bundle("two"), "second");
        assertThat(coordinator.propose(bundle("three"), "third")).isInstanceOf(RolloutCoordinator.Proposal.Waiting.class);

        report("a1", AgentState.FAILED, 1, 2);

        await("version 2 reverted", WITHIN, () -> store.rollout("edge").value().orElseThrow().state() == RolloutRecord.State.REVERTED);
        assertThat(targetVersion()).isEqualTo(1);
        assertThat(publisher.storedVersionNumbers("edge")).containsExactly(1L, 2L);
        await("the pipeline asked to render again", WITHIN, () -> rendersAskedFor.get() == 1);
    }

    private long liveVersion() throws Exception {
        return store.live("edge").value().map(PublishedVersion::version).orElse(0L);
    }

    private long targetVersion() throws Exception {
        return store.target("edge").value().map(PublishedVersion::version).orElse(0L);
    }

    private void report(String agentId, AgentState state, long running, long failed) throws Exception {
        ZK.write(layout.agent("edge", agentId), Json.write(new AgentStatus(agentId, "edge", "127.0.0.1", 8080, 8081, running,
                null, state, state == AgentState.FAILED ? "nginx said no" : null, failed, running, AgentStatus.UPSTREAMS_RELOAD, 0, null,
                System.currentTimeMillis())));
    }

    private static ConfigBundle bundle(String content) {
        return ConfigBundle.of("edge", Map.of("nginx.conf", content));
    }
}
