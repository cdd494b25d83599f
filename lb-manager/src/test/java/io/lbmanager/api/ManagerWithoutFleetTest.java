package io.lbmanager.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole manager (real ZooKeeper server, real nginx -t) without an Nginx fleet: what the
 * config pipeline publishes, how bad input is refused, and CI's validate endpoint.
 */
class ManagerWithoutFleetTest {

    private static final String ROOT = "/lb-manager";
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension APP = new ManagerExtension(ZK, zk -> {
        LbManagerConfiguration config = ManagerUnderTest.config(zk, "edge");
        config.nginx.dynamicUpstreams = "off"; // the upstream address shows in the config this test compares
        return config;
    });
    private static CuratorFramework client;

    @BeforeAll
    static void seedCatalog() throws Exception {
        client = ZK.curator();
        assertThat(send("PUT", api("/services/orders"),
                "{\"owners\":[\"orders-team@example.com\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);
        assertThat(send("POST", api("/services/orders/upstreams"), "{\"host\":\"127.0.0.1\",\"port\":18080}").statusCode()).isBetween(200, 201);
        await("orders published", Duration.ofSeconds(20),
                () -> get(api("/groups/edge/config")).body().contains("127.0.0.1:18080"));
    }

    @Test
    void badInputIsRefusedWithTheFieldAndLiveConfigStaysByteIdentical() throws Exception {
        String liveBefore = get(api("/groups/edge/config")).body();
        Map<String, byte[]> catalogBefore = dump(ROOT + "/catalog");

        assertError(send("PUT", api("/services/evil"), "{\"owners\":[\"x\"],\"basePath\":\"/a; include /etc/passwd\",\"groups\":[\"edge\"]}"), 422, "basePath");
        assertError(send("PUT", api("/services/evil"), "{\"owners\":[\"x\"],\"basePath\":\"/a\",\"groups\":[\"edge\"],\"options\":{\"content_by_lua_block\":\"os.exit()\"}}"), 422, "options.content_by_lua_block");
        assertError(send("PUT", api("/services/evil"), "{\"owners\":[\"x\"],\"basePath\":\"/a\",\"groups\":[\"edge\"],\"options\":{\"proxyReadTimeoutMs\":\"5s; load_module x\"}}"), 422, "options.proxyReadTimeoutMs");
        assertError(send("PUT", api("/services/evil"), "{\"owners\":[\"x\"],\"basePath\":\"/a\",\"groups\":[\"nowhere\"]}"), 422, "groups[0]");
        assertError(send("PUT", api("/services/evil"), "{\"owners\":[\"x\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"]}"), 409, "basePath");
        assertError(send("PUT", api("/services/evil"), "{\"owners\":[\"x\"],"), 400, null);
        assertError(send("PUT", api("/services/Evil;"), "{\"owners\":[\"x\"],\"basePath\":\"/a\",\"groups\":[\"edge\"]}"), 422, null);
        assertError(send("POST", api("/services/orders/upstreams"), "{\"host\":\"1.2.3.4;\\n}\",\"port\":80}"), 422, "host");
        assertThat(ManagerUnderTest.statusLineForDeclaredBody("127.0.0.1", APP.port(), "PUT", "/api/v1/services/evil", 200_000))
                .contains(" 413 ");

        Thread.sleep(500);
        assertThat(get(api("/groups/edge/config")).body()).isEqualTo(liveBefore);
        assertThat(dump(ROOT + "/catalog")).containsExactlyInAnyOrderEntriesOf(catalogBefore);
    }

    @Test
    void conflictNamesTheOwner() throws Exception {
        HttpResponse<String> conflict = send("PUT", api("/services/orders2"),
                "{\"owners\":[\"x\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"]}");
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(json(conflict).path("message").asText()).contains("orders");
    }

    @Test
    void handCorruptedCatalogNodeKeepsItsLastGoodValueAndIsReported() throws Exception {
        String liveBefore = get(api("/groups/edge/config")).body();
        String orders = new io.lbmanager.zk.ZkLayout(ROOT).service("orders");
        byte[] good = client.getData().forPath(orders);
        try {
            client.setData().forPath(orders,
                    "{\"definition\":{\"id\":\"orders\",\"basePath\":\"/x; return 200\"}}".getBytes(StandardCharsets.UTF_8));
            await("corrupt node reported", Duration.ofSeconds(10),
                    () -> json(get(api("/discovery"))).path("corruptCatalogNodes").has(orders));
            Thread.sleep(500);
            assertThat(get(api("/groups/edge/config")).body()).isEqualTo(liveBefore);
        } finally {
            client.setData().forPath(orders, good);
        }
    }

    @Test
    void validateAcceptsAGoodChangeWithItsDiffAndChangesNothing() throws Exception {
        String liveBefore = get(api("/groups/edge/config")).body();
        Map<String, byte[]> before = dump(ROOT);

        HttpResponse<String> response = send("POST", api("/validate"),
                "{\"serviceId\":\"search\",\"service\":{\"owners\":[\"search\"],\"basePath\":\"/search\",\"groups\":[\"edge\"],"
                        + "\"options\":{\"proxyReadTimeoutMs\":5000}}}");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode verdict = json(response).path("groups").get(0);
        assertThat(verdict.path("group").asText()).isEqualTo("edge");
        assertThat(verdict.path("valid").asBoolean()).isTrue();
        assertThat(verdict.path("diff").asText()).contains("+++ b/locations/search.conf").contains("/search");
        assertThat(get(api("/groups/edge/config")).body()).isEqualTo(liveBefore);
        assertThat(withoutAgents(dump(ROOT))).containsExactlyInAnyOrderEntriesOf(withoutAgents(before));
        assertThat(get(api("/services/search")).statusCode()).isEqualTo(404);
    }

    @Test
    void validateRejectsATemplateNginxRefusesWithFileLineAndService() throws Exception {
        String location = java.nio.file.Files.readString(ManagerUnderTest.templatesDir().resolve("location.conf.ftl"));
        String broken = location.replaceFirst("proxy_pass", "proxy_pass_bogus_directive on;\n    proxy_pass");
        HttpResponse<String> response = send("POST", api("/validate"),
                ManagerUnderTest.JSON.writeValueAsString(Map.of("templates", Map.of("location.conf.ftl", broken))));

        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode error = json(response).path("groups").get(0).path("errors").get(0);
        assertThat(error.path("file").asText()).isEqualTo("locations/orders.conf");
        assertThat(error.path("line").asInt()).isPositive();
        assertThat(error.path("serviceId").asText()).isEqualTo("orders");
        assertThat(error.path("message").asText()).contains("proxy_pass_bogus_directive");
    }

    @Test
    void validateRefusesTemplatesThatCouldLoadCodeOnTheManager() throws Exception {
        HttpResponse<String> response = send("POST", api("/validate"),
                "{\"templates\":{\"nginx.conf.ftl\":\"load_module /tmp/evil.so;\"}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        JsonNode error = json(response).path("groups").get(0).path("errors").get(0);
        assertThat(error.path("message").asText()).as(response.body()).contains("load_module", "rendered from nginx.conf.ftl");
        assertThat(error.path("line").asInt()).as(response.body()).isEqualTo(1);
    }

    @Test
    void unroutedDiscoveryNamesAreListedNotRouted() throws Exception {
        client.create().creatingParentsIfNeeded().forPath("/services/unclaimed/u1",
                "{\"name\":\"unclaimed\",\"id\":\"u1\",\"address\":\"127.0.0.1\",\"port\":9999}".getBytes(StandardCharsets.UTF_8));
        await("unclaimed listed", Duration.ofSeconds(10),
                () -> json(get(api("/discovery"))).path("unroutedNames").toString().contains("unclaimed"));
        assertThat(get(api("/groups/edge/config")).body()).doesNotContain("9999");
    }

    @Test
    void serviceNginxRejectsIsQuarantinedWithItsErrorWhileTheOthersKeepFlowing() throws Exception {
        assertThat(send("PUT", api("/services/ghost"), "{\"owners\":[\"x\"],\"basePath\":\"/ghost\",\"groups\":[\"edge\"]}").statusCode())
                .isEqualTo(201);
        assertThat(send("POST", api("/services/ghost/upstreams"), "{\"host\":\"nonexistent.invalid\",\"port\":80}").statusCode())
                .isEqualTo(200);
        try {
            await("ghost quarantined", Duration.ofSeconds(20),
                    () -> json(get(api("/groups/edge/status"))).path("status").path("quarantined").has("ghost"));
            JsonNode error = json(get(api("/groups/edge/status"))).path("status").path("quarantined").path("ghost").get(0);
            assertThat(error.path("file").asText()).isEqualTo("upstreams/ghost.conf");
            assertThat(error.path("message").asText()).contains("host not found");
            assertThat(json(get(api("/services/ghost/status"))).path("groups").get(0).path("routing").asText()).isEqualTo("QUARANTINED");

            assertThat(send("PUT", api("/services/after-ghost"), "{\"owners\":[\"x\"],\"basePath\":\"/after-ghost\",\"groups\":[\"edge\"]}")
                    .statusCode()).isEqualTo(201);
            await("a later service is published without ghost", Duration.ofSeconds(20), () -> {
                String live = get(api("/groups/edge/config")).body();
                return live.contains("locations/after-ghost.conf") && !live.contains("/ghost.conf") && live.contains("127.0.0.1:18080");
            });
        } finally {
            send("DELETE", api("/services/ghost"), null);
            send("DELETE", api("/services/after-ghost"), null);
            await("the cleanup is published", Duration.ofSeconds(20), () -> !get(api("/groups/edge/config")).body().contains("ghost"));
        }
    }

    @Test
    void adminPortReportsHealthAndPrometheusMetricsOfRollouts() throws Exception {
        String admin = "http://127.0.0.1:" + APP.adminPort();
        HttpResponse<String> health = get(admin + "/healthcheck");
        assertThat(health.body()).contains("\"zookeeper\"").contains("\"leadership\"").contains("\"agents\"");
        assertThat(json(health).path("leadership").path("healthy").asBoolean()).isTrue();

        String metrics = get(admin + "/metrics/prometheus").body();
        assertThat(metrics).contains("lbm_rollouts_succeeded").contains("lbm_services_quarantined").contains("lbm_agents_reloads");
    }

    private static void assertError(HttpResponse<String> response, int status, String field) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = json(response);
        assertThat(body.path("code").asInt()).isEqualTo(status);
        assertThat(body.path("message").asText()).isNotBlank();
        if (field != null) {
            assertThat(body.path("field").asText()).isEqualTo(field);
        }
    }

    private static String api(String path) {
        return APP.api(path);
    }

    /** Without what agents report, statuses, and the audit trail (which records the validate call itself). */
    private static Map<String, byte[]> withoutAgents(Map<String, byte[]> dump) {
        Map<String, byte[]> copy = new TreeMap<>(dump);
        copy.keySet().removeIf(path -> path.contains("/agents") || path.endsWith("/status") || path.startsWith(ROOT + "/auth/"));
        return copy;
    }

    private static Map<String, byte[]> dump(String path) throws Exception {
        Map<String, byte[]> nodes = new TreeMap<>();
        if (client.checkExists().forPath(path) == null) {
            return nodes;
        }
        byte[] data = client.getData().forPath(path);
        nodes.put(path, data == null ? new byte[0] : data);
        for (String child : client.getChildren().forPath(path)) {
            nodes.putAll(dump(path + "/" + child));
        }
        return nodes;
    }
}
