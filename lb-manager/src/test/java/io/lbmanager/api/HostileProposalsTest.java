package io.lbmanager.api;

import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.testsupport.HostileTemplates;
import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proposals through POST /api/v1/validate that try to read a planted secret, write outside the
 * sandbox, load modules or run Lua: each is refused naming the template and line, no response
 * carries a byte of the secret, and no file appears outside the sandbox. The whole manager with its
 * default jail, a real ZooKeeper, the real nginx, real HTTP.
 */
class HostileProposalsTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension APP = new ManagerExtension(ZK, zk -> ManagerUnderTest.config(zk, "edge"));
    private static final HostileTemplates HOSTILE = new HostileTemplates();

    @BeforeAll
    static void publishedCatalog() throws Exception {
        assertThat(send("PUT", api("/services/orders"), service("/orders", Map.of())).statusCode()).isEqualTo(201);
        assertThat(send("POST", api("/services/orders/upstreams"), "{\"host\":\"127.0.0.1\",\"port\":18080}").statusCode()).isEqualTo(200);
        await("orders published", Duration.ofSeconds(20), () -> get(api("/groups/edge/config")).body().contains("orders"));
    }

    @AfterAll
    static void stop() throws Exception {
        HOSTILE.close();
    }

    static List<HostileTemplates.Case> cases() {
        return HOSTILE.cases(ManagerUnderTest.templatesDir());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hostileTemplateIsRefusedNamingTemplateAndLineAndLeavesNoTrace(HostileTemplates.Case hostile) throws Exception {
        HttpResponse<String> response = send("POST", api("/validate"),
                ManagerUnderTest.JSON.writeValueAsString(Map.of("templates", Map.of(hostile.template(), hostile.content()))));

        assertThat(response.body()).doesNotContain(HOSTILE.marker());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        var error = json(response).path("groups").get(0).path("errors").get(0);
        assertThat(error.path("message").asText()).as(response.body()).contains("rendered from " + hostile.template());
        assertThat(error.path("line").asInt()).as(response.body()).isPositive();
        assertThat(hostile.mustNotExist()).allSatisfy(path -> assertThat(path).doesNotExist());
        assertThat(HOSTILE.outsideIsEmpty()).as("nothing created in the directory outside the sandbox").isTrue();
    }

    @Test
    void installedTemplatesProposedUnchangedStillPass() throws Exception {
        HttpResponse<String> response = send("POST", api("/validate"), ManagerUnderTest.JSON.writeValueAsString(Map.of("templates",
                Map.of("nginx.conf.ftl", Files.readString(ManagerUnderTest.templatesDir().resolve("nginx.conf.ftl"))))));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    @Test
    void serviceValuesThatTryToCarryDirectivesAreRefusedAtTheDoor() throws Exception {
        for (String body : new String[]{
                "{\"serviceId\":\"orders\",\"service\":" + service("/orders; include /tmp/x", Map.of()) + "}",
                "{\"serviceId\":\"orders\",\"service\":" + service("/orders", Map.of("proxyReadTimeoutMs", "1ms; error_log /tmp/x")) + "}",
                "{\"serviceId\":\"orders\",\"service\":" + service("/orders", Map.of("loadBalancing", "least_conn; load_module /x.so")) + "}"}) {
            HttpResponse<String> response = send("POST", api("/validate"), body);

            assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
            assertThat(response.body()).doesNotContain(HOSTILE.marker());
        }
    }

    @Test
    void withoutItsJailToolTheManagerRefusesToCheckAndSaysWhatIsMissing() throws Exception {
        LbManagerConfiguration config = ManagerUnderTest.config(ZK.connectString(), "edge");
        config.zookeeper.root = "/no-jail";
        config.nginx.bwrapBinary = "/nonexistent/bwrap";
        RunningManager manager = RunningManager.start(config);
        try {
            HttpResponse<String> response = send("POST", manager.api("/validate"),
                    "{\"serviceId\":\"shop\",\"service\":" + service("/shop", Map.of()) + "}");

            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            assertThat(json(response).path("message").asText()).contains("/nonexistent/bwrap", "bubblewrap");
        } finally {
            manager.close();
        }
    }

    private static String service(String basePath, Map<String, Object> options) throws Exception {
        return ManagerUnderTest.JSON.writeValueAsString(Map.of("owners", new String[]{"team"}, "basePath", basePath,
                "groups", new String[]{"edge"}, "options", options));
    }

    private static String api(String path) {
        return APP.api(path);
    }
}
