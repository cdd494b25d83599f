package io.lbmanager.rollout;

import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.BundleCodec;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.contract.VersionNodes;
import io.lbmanager.render.BundleRenderer;
import io.lbmanager.render.RenderOutcome;
import io.lbmanager.render.TemplateSet;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.validate.NginxValidator;
import io.lbmanager.validate.ValidationResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A group of 5,000 services with 4 upstreams each stays well inside one ZooKeeper node and passes
 * nginx -t; one of 50,000 services with 10 upstreams each is stored in chunks on a ZooKeeper with
 * its default 1 MB limit and read back whole.
 */
class LargeCatalogBundleTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();

    @Test
    void fiveThousandServicesFitTheNodeBudgetAndNginxAcceptsThem() {
        ConfigBundle bundle = render(5_000, 4);

        int encoded = BundleCodec.encode(bundle).length;
        System.out.println("5000 services: " + bundle.files().size() + " files, " + encoded + " bytes gzip-encoded");
        assertThat(encoded).as("one unchunked version node").isLessThan(VersionNodes.CHUNK_BYTES);
        assertThat(new NginxValidator("nginx", Duration.ofSeconds(60)).validate(bundle)).isInstanceOf(ValidationResult.Valid.class);
    }

    @Test
    void fiftyThousandServicesWithTenUpstreamsArePublishedInChunksAndReadBackWhole() throws Exception {
        ConfigBundle bundle = render(50_000, 10);
        VersionPublisher publisher = new VersionPublisher(ZK.curator(), new ZkLayout("/large"), 3);

        var outcome = publisher.publishIfChanged(bundle, "50,000 services");

        assertThat(outcome).isInstanceOf(VersionPublisher.PublishOutcome.Published.class);
        int encoded = BundleCodec.encode(bundle).length;
        System.out.println("50000 services: " + bundle.files().size() + " files, " + encoded + " bytes gzip-encoded, "
                + VersionNodes.chunksFor(encoded) + " chunks");
        assertThat(encoded).isGreaterThan(1024 * 1024);
        assertThat(ZK.curator().getChildren().forPath(new ZkLayout("/large").groupVersion("edge", 1))).hasSize(VersionNodes.chunksFor(encoded));
        assertThat(publisher.targetBundle("edge").orElseThrow().sha256()).isEqualTo(bundle.sha256());
    }

    private static ConfigBundle render(int count, int upstreamsPerService) {
        TreeMap<String, ServiceRecord> services = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            String id = "svc-" + i;
            List<Upstream> upstreams = new ArrayList<>();
            for (int u = 0; u < upstreamsPerService; u++) {
                upstreams.add(new Upstream("10." + (u + 1) + "." + (i / 250 % 250) + "." + (i % 250 + 1), 8080 + u));
            }
            services.put(id, new ServiceRecord(new ServiceDefinition(id, List.of("team-" + (i % 40)), "/" + id, List.of("edge"),
                    Map.of("proxyReadTimeoutMs", 5000), id), upstreams, "test", 0));
        }
        CatalogSnapshot snapshot = new CatalogSnapshot(new TreeSet<>(List.of("edge")), services, new TreeMap<>());
        RenderOutcome outcome = new BundleRenderer(TemplateSet.load(ManagerUnderTest.templatesDir())).renderGroup(snapshot, "edge");
        return ((RenderOutcome.Rendered) outcome).bundle();
    }
}
