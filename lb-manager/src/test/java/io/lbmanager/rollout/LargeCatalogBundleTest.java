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
import io.lbmanager.validate.NginxValidator;
import io.lbmanager.validate.ValidationResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** A group of 5,000 services with 4 upstreams each stays well inside one ZooKeeper node and passes nginx -t. */
class LargeCatalogBundleTest {

    @Test
    void fiveThousandServicesFitTheNodeBudgetAndNginxAcceptsThem() {
        TreeMap<String, ServiceRecord> services = new TreeMap<>();
        for (int i = 0; i < 5_000; i++) {
            String id = "svc-" + i;
            List<Upstream> upstreams = new ArrayList<>();
            for (int u = 0; u < 4; u++) {
                upstreams.add(new Upstream("10." + (i / 250) + "." + (i % 250) + "." + (u + 1), 8080 + u));
            }
            services.put(id, new ServiceRecord(new ServiceDefinition(id, List.of("team-" + (i % 40)), "/" + id, List.of("edge"),
                    Map.of("proxyReadTimeoutMs", 5000), id), upstreams, "test", 0));
        }
        CatalogSnapshot snapshot = new CatalogSnapshot(new TreeSet<>(List.of("edge")), services, new TreeMap<>());
        RenderOutcome outcome = new BundleRenderer(TemplateSet.load(ManagerUnderTest.templatesDir())).renderGroup(snapshot, "edge");
        ConfigBundle bundle = ((RenderOutcome.Rendered) outcome).bundle();

        int encoded = BundleCodec.encode(bundle).length;
        System.out.println("5000 services: " + bundle.files().size() + " files, " + encoded + " bytes gzip-encoded");
        assertThat(encoded).as("one unchunked version node").isLessThan(VersionNodes.CHUNK_BYTES);
        assertThat(new NginxValidator("nginx", Duration.ofSeconds(60)).validate(bundle)).isInstanceOf(ValidationResult.Valid.class);
    }
}
