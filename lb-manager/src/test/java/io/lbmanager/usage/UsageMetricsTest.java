package io.lbmanager.usage;

import io.lbmanager.contract.UsageRecord;
import io.lbmanager.contract.UsageRecord.ServiceUsage;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class UsageMetricsTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static final ZkLayout LAYOUT = new ZkLayout("/lbm-metrics");

    private static ServiceUsage requests(long n) {
        return new ServiceUsage(n, n * 10, n * 100, 0, 0, 0, 0, 0, 0, 0);
    }

    private static void write(CuratorFramework client, long hour, String agent, Map<String, ServiceUsage> services) throws Exception {
        UsageRecord record = new UsageRecord("edge", agent, hour, hour + 1000, "ledger-" + agent, 0, 0, services);
        String path = LAYOUT.groupUsage("edge") + "/" + record.nodeName();
        if (client.checkExists().forPath(path) == null) {
            client.create().creatingParentsIfNeeded().forPath(path, Json.write(record));
        } else {
            client.setData().forPath(path, Json.write(record));
        }
    }

    @Test
    void countsTheGrowthSinceTheFirstPollAndSumsAllButTheTopServicesAsOther() throws Exception {
        CuratorFramework client = ZK.curator();
        long now = System.currentTimeMillis();
        long hour = UsageRecord.hourOf(now);
        write(client, hour, "a1", Map.of("shop", requests(1000)));
        UsageMetrics metrics = new UsageMetrics(new UsageRecords(client, LAYOUT), () -> Set.of("edge"), 2);
        PrometheusRegistry registry = new PrometheusRegistry();
        metrics.register(registry);
        metrics.poll(now);
        assertThat(metrics.top()).as("what existed at the first poll is the baseline").isEmpty();

        write(client, hour, "a1", Map.of("shop", requests(1050), "cart", requests(20), "tiny", requests(3)));
        write(client, hour, "a2", Map.of("shop", requests(5), "misc", requests(2)));
        metrics.poll(now);

        Map<String, ServiceUsage> top = metrics.top();
        assertThat(top).containsOnlyKeys("shop", "cart", UsageMetrics.OTHER);
        assertThat(top.get("shop").requests()).isEqualTo(55);
        assertThat(top.get("cart").requests()).isEqualTo(20);
        assertThat(top.get(UsageMetrics.OTHER).requests()).isEqualTo(5);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(text, registry.scrape());
        assertThat(text.toString(StandardCharsets.UTF_8)).contains("lbm_usage_requests_total{service=\"shop\"} 55.0")
                .contains("lbm_usage_bytes_out_total{service=\"other\"} 500.0").doesNotContain("service=\"tiny\"");
    }
}
