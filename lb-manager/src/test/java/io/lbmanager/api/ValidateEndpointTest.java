package io.lbmanager.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * CI's validate endpoint checks what a proposal changes since the group's target version, and
 * every file when templates are proposed: the whole manager, a real ZooKeeper, the real nginx.
 */
class ValidateEndpointTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension APP = new ManagerExtension(ZK, zk -> reloadMode(ManagerUnderTest.config(zk, "edge")));

    /** Upstream addresses appear in the config this test reads only when they are server lines. */
    private static LbManagerConfiguration reloadMode(LbManagerConfiguration config) {
        config.nginx.dynamicUpstreams = "off";
        return config;
    }

    @BeforeAll
    static void publishedCatalog() throws Exception {
        for (String id : new String[]{"orders", "search", "ghost"}) {
            assertThat(send("PUT", api("/services/" + id), service("/" + id, Map.of())).statusCode()).isEqualTo(201);
        }
        assertThat(send("POST", api("/services/orders/upstreams"), "{\"host\":\"127.0.0.1\",\"port\":18080}").statusCode()).isEqualTo(200);
        assertThat(send("POST", api("/services/ghost/upstreams"), "{\"host\":\"nonexistent.invalid\",\"port\":80}").statusCode())
                .isEqualTo(200);
        await("orders published and ghost quarantined", Duration.ofSeconds(20), () ->
                get(api("/groups/edge/config")).body().contains("127.0.0.1:18080")
                        && json(get(api("/groups/edge/status"))).path("status").path("quarantined").has("ghost"));
    }

    @Test
    void changeToOneServiceIsCheckedAndDiffedOnlyWhereItChanges() throws Exception {
        HttpResponse<String> response = send("POST", api("/validate"),
                "{\"serviceId\":\"orders\",\"service\":" + service("/orders", Map.of("proxyReadTimeoutMs", 4321)) + "}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode verdict = json(response).path("groups").get(0);
        assertThat(verdict.path("checked").path("scope").asText()).isEqualTo("changed");
        assertThat(verdict.path("checked").path("files").asInt()).isEqualTo(3);
        assertThat(verdict.path("checked").path("bundleFiles").asInt()).isEqualTo(5);
        assertThat(verdict.path("diff").asText()).contains("+++ b/locations/orders.conf", "+    proxy_read_timeout 4321ms;")
                .doesNotContain("search.conf", "nginx.conf", "upstreams/orders.conf");
    }

    @Test
    void changedServiceNginxRejectsIsRefusedWithFileLineAndService() throws Exception {
        HttpResponse<String> response = send("POST", api("/validate"),
                "{\"serviceId\":\"ghost\",\"service\":" + service("/ghost", Map.of("proxyReadTimeoutMs", 5000)) + "}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        JsonNode verdict = json(response).path("groups").get(0);
        assertThat(verdict.path("checked").path("scope").asText()).isEqualTo("changed");
        JsonNode error = verdict.path("errors").get(0);
        assertThat(error.path("file").asText()).isEqualTo("upstreams/ghost.conf");
        assertThat(error.path("line").asInt()).isPositive();
        assertThat(error.path("serviceId").asText()).isEqualTo("ghost");
        assertThat(error.path("message").asText()).contains("host not found", "nonexistent.invalid");
    }

    /** The override leaves every other service's files as they are, so only a check of every file sees the clash. */
    @Test
    void proposedTemplatesAreCheckedWithEveryFile() throws Exception {
        String upstream = Files.readString(ManagerUnderTest.templatesDir().resolve("upstream.conf.ftl"))
                + "\n<#if service.id == \"newcomer\">\nupstream lbm_orders { server 127.0.0.1:1; }\n</#if>\n";
        HttpResponse<String> response = send("POST", api("/validate"), ManagerUnderTest.JSON.writeValueAsString(Map.of(
                "serviceId", "newcomer",
                "service", Map.of("owners", new String[]{"newcomer"}, "basePath", "/newcomer", "groups", new String[]{"edge"}),
                "templates", Map.of("upstream.conf.ftl", upstream))));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        JsonNode verdict = json(response).path("groups").get(0);
        assertThat(verdict.path("checked").path("scope").asText()).isEqualTo("full");
        assertThat(verdict.path("checked").path("reason").asText()).contains("proposed templates");
        assertThat(verdict.path("errors").get(0).path("message").asText()).contains("duplicate upstream \"lbm_orders\"");
    }

    @Test
    void newServiceIsAcceptedWithItsDiff() throws Exception {
        HttpResponse<String> response = send("POST", api("/validate"),
                "{\"serviceId\":\"payments\",\"service\":" + service("/payments", Map.of()) + "}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode verdict = json(response).path("groups").get(0);
        assertThat(verdict.path("diff").asText()).contains("+++ b/locations/payments.conf", "+++ b/upstreams/payments.conf");
        assertThat(verdict.path("checked").path("files").asInt()).isEqualTo(3);
        assertThat(get(api("/services/payments")).statusCode()).isEqualTo(404);
    }

    private static String service(String basePath, Map<String, Object> options) throws Exception {
        return ManagerUnderTest.JSON.writeValueAsString(Map.of("owners", new String[]{"team"}, "basePath", basePath,
                "groups", new String[]{"edge"}, "options", options));
    }

    private static String api(String path) {
        return APP.api(path);
    }
}
