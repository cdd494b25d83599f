package io.lbmanager.baragon;

import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.rollout.AgentDirectory;
import io.lbmanager.rollout.GroupStatusStore;
import io.lbmanager.rollout.RolloutStore;
import io.lbmanager.rollout.VersionPublisher;
import io.lbmanager.routes.PublishedRoutes;
import io.lbmanager.routes.RoutesRolloutStore;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.zk.ZkNodes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request life cycle against a real ZooKeeper server, with no pipeline and no Nginx: nothing
 * ever serves the change, so a request must stay WAITING (never a premature SUCCESS) and end FAILED
 * with what was missing once the confirmation time is over.
 */
class LoadBalancerRequestsTest {

    private static final long TIMEOUT_MILLIS = 60_000;
    private static final ZkLayout LAYOUT = new ZkLayout("/lb-manager");

    @RegisterExtension
    static final ZooKeeperExtension ZK = ZooKeeperExtension.perTest();
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private CatalogStore catalog;
    private LoadBalancerRequests requests;

    @BeforeEach
    void setUp() {
        catalog = new CatalogStore(ZK.curator(), LAYOUT, clock::get);
        catalog.createGroup("edge");
        requests = new LoadBalancerRequests(ZK.curator(), LAYOUT, catalog, new RolloutStore(ZK.curator(), LAYOUT),
                new VersionPublisher(ZK.curator(), LAYOUT, 5), new GroupStatusStore(ZK.curator(), LAYOUT), new AgentDirectory(ZK.curator(), LAYOUT),
                new PublishedRoutes(ZK.curator(), LAYOUT, new RoutesRolloutStore(new ZkNodes(ZK.curator()), LAYOUT), Optional.empty()),
                10, TIMEOUT_MILLIS, clock::get);
    }

    @Test
    void aChangeNoNginxServesStaysWaitingThenFailsSayingWhatIsMissing() {
        LbRequestRecord accepted = submit("web-d1-DEPLOY-1", "/web", List.of("10.0.0.1:8080"), List.of());
        assertThat(accepted.state()).isEqualTo(LbRequestState.WAITING);
        assertThat(accepted.message()).contains("group edge serves no config version yet");
        assertThat(catalog.service("web").orElseThrow().staticUpstreams()).extracting(u -> u.address()).containsExactly("10.0.0.1:8080");

        clock.addAndGet(TIMEOUT_MILLIS);
        assertThat(requests.status("web-d1-DEPLOY-1").orElseThrow().state()).isEqualTo(LbRequestState.WAITING);
        clock.addAndGet(1);
        LbRequestRecord failed = requests.status("web-d1-DEPLOY-1").orElseThrow();
        assertThat(failed.state()).isEqualTo(LbRequestState.FAILED);
        assertThat(failed.message()).isEqualTo("not live within 60 s: group edge serves no config version yet");
        assertThat(requests.cancel("web-d1-DEPLOY-1").orElseThrow().state()).as("a finished request keeps its state").isEqualTo(LbRequestState.FAILED);
    }

    @Test
    void addAndRemoveChangeOnlyTheUpstreamsNamedAndKeepTheRest() {
        submit("web-1", "/web", List.of("10.0.0.1:8080", "10.0.0.2:8080"), List.of());
        LbRequestRecord swap = submit("web-2", "/web", List.of("10.0.0.3:8080"), List.of("10.0.0.1:8080", "10.0.0.9:8080"));
        assertThat(catalog.service("web").orElseThrow().staticUpstreams()).extracting(u -> u.address())
                .containsExactly("10.0.0.2:8080", "10.0.0.3:8080");
        assertThat(swap.present()).containsExactly("10.0.0.3:8080");
        assertThat(swap.absent()).as("removing an unknown upstream is no error").containsExactly("10.0.0.1:8080", "10.0.0.9:8080");
    }

    @Test
    void aWaitingRequestCannotBeCancelledAndSaysSo() {
        submit("web-1", "/web", List.of("10.0.0.1:8080"), List.of());
        LbRequestRecord cancel = requests.cancel("web-1").orElseThrow();
        assertThat(cancel.state()).isEqualTo(LbRequestState.WAITING);
        assertThat(cancel.message()).startsWith("lb-manager applies a request at once and cannot cancel it");
    }

    @Test
    void aBasePathAnotherServiceHoldsFailsAndWritesNothing() {
        catalog.putService(new ServiceDefinition("shop", List.of("shop-team"), "/web", List.of("edge"), Map.of(), "shop"), "test");
        LbRequestRecord refused = submit("web-1", "/web", List.of("10.0.0.1:8080"), List.of());
        assertThat(refused.state()).isEqualTo(LbRequestState.FAILED);
        assertThat(refused.message()).isEqualTo("loadBalancerService.serviceBasePath: base path /web in group edge is already owned by service shop");
        assertThat(catalog.service("web")).isEmpty();
    }

    private LbRequestRecord submit(String id, String basePath, List<String> add, List<String> remove) {
        BaragonRequestBody body = new BaragonRequestBody(id,
                new BaragonRequestBody.Service("web", List.of("web-team@example.com"), basePath, null, List.of("edge"), Map.of(), null, null, null,
                        null, false),
                add.stream().map(LoadBalancerRequestsTest::upstream).toList(), remove.stream().map(LoadBalancerRequestsTest::upstream).toList(),
                null, null, "UPDATE", false, false, false, true);
        return requests.submit((id + basePath + add + remove).getBytes(StandardCharsets.UTF_8), body, ADMIN, "test");
    }

    private static BaragonRequestBody.UpstreamInfo upstream(String address) {
        return new BaragonRequestBody.UpstreamInfo(address, "task", "rack", null, "default", null);
    }

    private static final Permissions ADMIN = new Permissions() {
        @Override
        public Optional<String> team() {
            return Optional.empty();
        }

        @Override
        public Optional<String> refusePut(ServiceDefinition proposed) {
            return Optional.empty();
        }

        @Override
        public Optional<String> refuseChange(String serviceId) {
            return Optional.empty();
        }
    };
}
