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
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The validate endpoint and the pipeline with {@code nginx.routing: lua}: a routed service has no
 * files of its own, a new one with a profile already in use changes no byte, a new profile is
 * rendered and checked by the real {@code nginx -t}, hostile values are refused naming the field.
 * The whole manager, a real ZooKeeper, this host's nginx with the Lua module.
 */
class ValidateRoutedServicesTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension APP = new ManagerExtension(ZK, zk -> luaRouting(ManagerUnderTest.config(zk, "edge")));

    private static LbManagerConfiguration luaRouting(LbManagerConfiguration config) {
        config.nginx.dynamicUpstreams = "on";
        config.nginx.routing = "lua";
        return config;
    }

    @BeforeAll
    static void publishedCatalog() throws Exception {
        assertThat(send("PUT", api("/services/orders"), service("/orders", Map.of())).statusCode()).isEqualTo(201);
        assertThat(send("POST", api("/services/orders/upstreams"), "{\"host\":\"127.0.0.1\",\"port\":18080}").statusCode()).isEqualTo(200);
        assertThat(send("PUT", api("/services/named"), service("/named", Map.of())).statusCode()).isEqualTo(201);
        assertThat(send("POST", api("/services/named/upstreams"), "{\"host\":\"localhost\",\"port\":18081}").statusCode()).isEqualTo(200);
        await("a config with the profile of orders and the files of named published", Duration.ofSeconds(30),
                () -> get(api("/groups/edge/config")).body().contains("lbm-profiles.txt")
                        && get(api("/groups/edge/config")).body().contains("locations/named.conf"));
    }

    @Test
    void aRoutedServiceHasNoFilesAndItsProfileIsInTheConfig() throws Exception {
        String config = get(api("/groups/edge/config")).body();

        assertThat(config).contains("lbm-profile-locations.conf", "locations/named.conf").doesNotContain("locations/orders.conf");
    }

    @Test
    void aNewRoutedServiceWithAProfileInUseChangesNoFile() throws Exception {
        HttpResponse<String> response = send("POST", api("/validate"),
                "{\"serviceId\":\"payments\",\"service\":" + service("/payments", Map.of("proxyReadTimeoutMs", 4321)) + "}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode verdict = json(response).path("groups").get(0);
        assertThat(verdict.path("diff").asText()).doesNotContain("payments", "+++");
    }

    @Test
    void aNewProfileIsRenderedAndCheckedByNginx() throws Exception {
        HttpResponse<String> response = send("POST", api("/validate"),
                "{\"serviceId\":\"uploads\",\"service\":" + service("/uploads", Map.of("clientMaxBodySizeMb", 500)) + "}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode verdict = json(response).path("groups").get(0);
        assertThat(verdict.path("diff").asText()).contains("+++ b/lbm-profile-locations.conf", "client_max_body_size 500m;")
                .doesNotContain("locations/uploads.conf");
        assertThat(verdict.path("checked").path("files").asInt()).isPositive();
    }

    @Test
    void hostileValuesOfARoutedServiceAreRefusedNamingTheField() throws Exception {
        HttpResponse<String> path = send("POST", api("/validate"),
                "{\"serviceId\":\"evil\",\"service\":" + service("/evil\") os.execute(\"id", Map.of()) + "}");
        HttpResponse<String> timeout = send("POST", api("/validate"),
                "{\"serviceId\":\"evil\",\"service\":" + service("/evil", Map.of("proxyConnectTimeoutMs", 0)) + "}");

        assertThat(path.statusCode()).as(path.body()).isEqualTo(422);
        assertThat(json(path).path("field").asText()).isEqualTo("basePath");
        assertThat(timeout.statusCode()).as(timeout.body()).isEqualTo(422);
        assertThat(json(timeout).path("field").asText()).isEqualTo("options.proxyConnectTimeoutMs");
    }

    @Test
    void aProposedProfileTemplateThatRunsItsOwnLuaIsRefusedNamingTemplateAndLine() throws Exception {
        Path marker = Path.of("/tmp/lbm-routed-profile-pwned");
        String profile = Files.readString(ManagerUnderTest.templatesDir().resolve("profile.conf.ftl"))
                .replace("    proxy_http_version 1.1;", "    proxy_http_version 1.1;\n    header_filter_by_lua_block { os.execute(\"touch " + marker + "\") }");

        HttpResponse<String> response = send("POST", api("/validate"),
                ManagerUnderTest.JSON.writeValueAsString(Map.of("templates", Map.of("profile.conf.ftl", profile))));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        JsonNode error = json(response).path("groups").get(0).path("errors").get(0);
        assertThat(error.path("file").asText()).isEqualTo("lbm-profile-locations.conf");
        assertThat(error.path("line").asInt()).isPositive();
        assertThat(error.path("message").asText()).contains("header_filter_by_lua_block", "rendered from profile.conf.ftl");
        assertThat(marker).doesNotExist();
    }

    private static String service(String basePath, Map<String, Object> options) throws Exception {
        return ManagerUnderTest.JSON.writeValueAsString(Map.of("owners", new String[]{"team"}, "basePath", basePath,
                "groups", new String[]{"edge"}, "options", options));
    }

    private static String api(String path) {
        return APP.api(path);
    }
}
