package io.lbmanager.upgrade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.logging.common.DefaultLoggingFactory;
import io.dropwizard.request.logging.LogbackAccessRequestLogFactory;
import io.dropwizard.testing.DropwizardTestSupport;
import io.lbmanager.api.ApiConfig;
import io.lbmanager.api.ApiErrors;
import io.lbmanager.api.AuthApi;
import io.lbmanager.api.FleetApi;
import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.fleet.singularity.SingularityException;
import io.lbmanager.testsupport.LbmCli;
import io.lbmanager.testsupport.TestTokens;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The fleet REST contract over real HTTP, with the policy on an in-memory fleet and a real ZooKeeper. */
class FleetApiTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static UpgradeOperations operations;
    private static DropwizardTestSupport<Configuration> app;
    private static InMemoryFleet fleet;
    private static final ZkLayout LAYOUT = new ZkLayout("/fleet-api-test");

    /** Registers the fleet API exactly as the application does. */
    public static class FleetApp extends Application<Configuration> {
        @Override
        public void run(Configuration configuration, Environment environment) {
            ApiConfig api = new ApiConfig();
            api.adminTokenFile = TestTokens.adminTokenFile();
            ApiErrors.register(environment.jersey());
            environment.lifecycle().manage(AuthApi.register(environment.jersey(), ZK.curator(), LAYOUT, new CatalogStore(ZK.curator(), LAYOUT),
                    api, Map.of()));
            FleetApi.register(environment.jersey(), operations, api);
        }
    }

    @BeforeEach
    void startServerOnAFreshGroup() throws Exception {
        ZK.deleteAll(LAYOUT.root());
        resetFleet();
        Configuration config = new Configuration();
        DefaultServerFactory server = (DefaultServerFactory) config.getServerFactory();
        ((HttpConnectorFactory) server.getApplicationConnectors().get(0)).setPort(0);
        ((HttpConnectorFactory) server.getAdminConnectors().get(0)).setPort(0);
        ((DefaultLoggingFactory) config.getLoggingFactory()).setLevel("WARN");
        ((LogbackAccessRequestLogFactory) server.getRequestLogFactory()).setAppenders(List.of());
        app = new DropwizardTestSupport<>(FleetApp.class, config);
        app.before();
    }

    @AfterEach
    void stopServer() {
        app.after();
    }

    private static void resetFleet() {
        fleet = new InMemoryFleet(3);
        UpgradePolicy policy = new UpgradePolicy(fleet, fleet,
                new UpgradePolicy.Timing(Duration.ofSeconds(60), Duration.ofSeconds(2), Duration.ofSeconds(1)), fleet.clock::get);
        operations = new UpgradeOperations(policy, fleet, new UpgradeStore(ZK.curator(), LAYOUT), "edge"::equals,
                UpgradeSettings.DEFAULTS, Duration.ofSeconds(1), fleet.clock::get);
    }

    @Test
    void statusShowsBackendImageInstancesAndTasks() throws Exception {
        Reply reply = send("GET", "/api/v1/fleet/edge", null);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("group").asText()).isEqualTo("edge");
        assertThat(reply.json().path("backend").asText()).isEqualTo("memory");
        assertThat(reply.json().path("image").asText()).isEqualTo("nginx:1");
        assertThat(reply.json().path("instances").asInt()).isEqualTo(3);
        assertThat(reply.json().path("blocked").isNull()).isTrue();
        assertThat(reply.json().path("upgrade").isNull()).isTrue();
        JsonNode task = reply.json().path("tasks").get(0);
        assertThat(reply.json().path("tasks")).hasSize(3);
        for (String field : List.of("taskId", "host", "trafficPort", "adminPort", "image", "running", "ready")) {
            assertThat(task.has(field)).as(field).isTrue();
        }
        assertThat(task.path("ready").asBoolean()).isTrue();
    }

    @Test
    void anUnknownGroupIs404InTheErrorFormat() throws Exception {
        Reply reply = send("GET", "/api/v1/fleet/nope", null);

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.json().path("code").asInt()).isEqualTo(404);
        assertThat(reply.json().path("message").asText()).contains("group nope does not exist");
        assertThat(reply.json().path("field").asText()).isEqualTo("group");
    }

    @Test
    void upgradeLifecycleThroughTheApi() throws Exception {
        Reply started = send("POST", "/api/v1/fleet/edge/upgrade",
                "{\"image\":\"nginx:2\",\"stepSize\":1,\"bakeSeconds\":5,\"maxErrorRate\":0.02,\"crashBudget\":4}");
        assertThat(started.status()).isEqualTo(202);
        assertThat(started.json().path("state").asText()).isEqualTo("RUNNING");
        assertThat(started.json().path("fromImage").asText()).isEqualTo("nginx:1");
        assertThat(started.json().path("toImage").asText()).isEqualTo("nginx:2");
        assertThat(started.json().path("totalSteps").asInt()).isEqualTo(3);
        assertThat(started.json().path("crashBudget").asInt()).isEqualTo(4);
        assertThat(started.json().path("phase").asText()).isEqualTo("LAUNCHING");
        assertThat(fleet.lastSpec.allowedFailures()).isEqualTo(4);
        for (String field : List.of("id", "stepSize", "step", "message", "startedAtMillis", "updatedAtMillis")) {
            assertThat(started.json().has(field)).as(field).isTrue();
        }

        Reply second = send("POST", "/api/v1/fleet/edge/upgrade", "{\"image\":\"nginx:3\"}");
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.json().path("message").asText()).contains("in progress");

        assertThat(send("POST", "/api/v1/fleet/edge/upgrade/pause", null).json().path("state").asText()).isEqualTo("PAUSED");
        assertThat(send("POST", "/api/v1/fleet/edge/upgrade/pause", null).status()).isEqualTo(409);
        assertThat(send("POST", "/api/v1/fleet/edge/upgrade/resume", null).json().path("state").asText()).isEqualTo("RUNNING");
        Reply cancelled = send("POST", "/api/v1/fleet/edge/upgrade/cancel", null);
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().path("state").asText()).isEqualTo("CANCELLED");
        assertThat(cancelled.json().path("message").asText()).contains("cancelled by " + TestTokens.ADMIN_ACTOR);
        assertThat(send("POST", "/api/v1/fleet/edge/upgrade/cancel", null).status()).isEqualTo(409);

        Reply history = send("GET", "/api/v1/fleet/edge/history", null);
        assertThat(history.json()).hasSize(1);
        assertThat(history.json().get(0).path("state").asText()).isEqualTo("CANCELLED");
        assertThat(send("GET", "/api/v1/fleet/edge", null).json().path("upgrade").path("state").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void rollbackAfterASuccessfulUpgradeGoesBackToThePreviousImage() throws Exception {
        assertThat(send("POST", "/api/v1/fleet/edge/rollback", null).status()).isEqualTo(409);
        send("POST", "/api/v1/fleet/edge/upgrade", "{\"image\":\"nginx:2\",\"stepSize\":3,\"bakeSeconds\":0}");
        for (int i = 0; i < 10; i++) {
            operations.tickAll();
            fleet.clock.addAndGet(1000);
        }
        assertThat(send("GET", "/api/v1/fleet/edge/history", null).json().get(0).path("state").asText()).isEqualTo("SUCCEEDED");

        Reply rollback = send("POST", "/api/v1/fleet/edge/rollback", null);

        assertThat(rollback.status()).isEqualTo(202);
        assertThat(rollback.json().path("toImage").asText()).isEqualTo("nginx:1");
        assertThat(rollback.json().path("fromImage").asText()).isEqualTo("nginx:2");
        for (int i = 0; i < 10; i++) {
            operations.tickAll();
            fleet.clock.addAndGet(1000);
        }
        assertThat(send("GET", "/api/v1/fleet/edge", null).json().path("image").asText()).isEqualTo("nginx:1");
    }

    @Test
    void aBlockedGroupRefusesUpgradesWithTheReasonUntilUnblocked() throws Exception {
        Reply blocked = send("PUT", "/api/v1/fleet/edge/block", "{\"reason\":\"incident 4711 in progress\"}");
        assertThat(blocked.status()).isEqualTo(200);
        assertThat(blocked.json().path("by").asText()).isEqualTo(TestTokens.ADMIN_ACTOR);

        Reply refused = send("POST", "/api/v1/fleet/edge/upgrade", "{\"image\":\"nginx:2\"}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().path("message").asText()).contains("incident 4711 in progress");
        assertThat(send("GET", "/api/v1/fleet/edge", null).json().path("blocked").path("reason").asText())
                .isEqualTo("incident 4711 in progress");
        assertThat(fleet.calls).isEmpty();

        assertThat(send("DELETE", "/api/v1/fleet/edge/block", null).status()).isEqualTo(204);
        assertThat(send("DELETE", "/api/v1/fleet/edge/block", null).status()).isEqualTo(404);
        assertThat(send("POST", "/api/v1/fleet/edge/upgrade", "{\"image\":\"nginx:2\"}").status()).isEqualTo(202);
    }

    @Test
    void scaleSetsTheInstanceCount() throws Exception {
        Reply scaled = send("PUT", "/api/v1/fleet/edge/scale", "{\"instances\":5}");

        assertThat(scaled.status()).isEqualTo(200);
        assertThat(scaled.json().path("instances").asInt()).isEqualTo(5);
        assertThat(scaled.json().path("tasks")).hasSize(5);
        assertThat(send("PUT", "/api/v1/fleet/edge/scale", "{\"instances\":0}").json().path("field").asText()).isEqualTo("instances");
    }

    @Test
    void badInputIsRefusedNamingTheField() throws Exception {
        Reply badImage = send("POST", "/api/v1/fleet/edge/upgrade", "{\"image\":\"nginx:2; rm -rf /\"}");
        Reply badStep = send("POST", "/api/v1/fleet/edge/upgrade", "{\"image\":\"nginx:2\",\"stepSize\":0}");
        Reply badRate = send("POST", "/api/v1/fleet/edge/upgrade", "{\"image\":\"nginx:2\",\"maxErrorRate\":2}");
        Reply badBudget = send("POST", "/api/v1/fleet/edge/upgrade", "{\"image\":\"nginx:2\",\"crashBudget\":-1}");
        Reply missingImage = send("POST", "/api/v1/fleet/edge/upgrade", "{\"image\":\"nginx:missing\"}");
        Reply unknownField = send("POST", "/api/v1/fleet/edge/upgrade", "{\"image\":\"nginx:2\",\"steps\":2}");
        Reply noReason = send("PUT", "/api/v1/fleet/edge/block", "{\"reason\":\" \"}");

        assertThat(badImage.status()).isEqualTo(422);
        assertThat(badImage.json().path("field").asText()).isEqualTo("image");
        assertThat(badStep.json().path("field").asText()).isEqualTo("stepSize");
        assertThat(badRate.json().path("field").asText()).isEqualTo("maxErrorRate");
        assertThat(badBudget.status()).isEqualTo(422);
        assertThat(badBudget.json().path("field").asText()).isEqualTo("crashBudget");
        assertThat(missingImage.status()).isEqualTo(422);
        assertThat(missingImage.json().path("field").asText()).isEqualTo("image");
        assertThat(missingImage.json().path("message").asText()).isEqualTo("image nginx:missing not found");
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(noReason.json().path("field").asText()).isEqualTo("reason");
        assertThat(fleet.calls).isEmpty();
        assertThat(ZK.exists(LAYOUT.fleetBlock("edge"))).isFalse();
    }

    @Test
    void theActorIsTheTokensIdentityNotACallerSuppliedHeader() throws Exception {
        Reply blocked = sendAs("PUT", "/api/v1/fleet/edge/block", "{\"reason\":\"x\"}", "mallory");

        assertThat(blocked.status()).isEqualTo(200);
        assertThat(blocked.json().path("by").asText()).isEqualTo(TestTokens.ADMIN_ACTOR);
    }

    @Test
    void aScaleTheSchedulerRefusesIsA409InItsWordsAndLbmPrintsThemWithoutATraceback() throws Exception {
        String words = "Not enough active agents to successfully scale request lb-nginx-edge to 10 instances"
                + " (minimum required: 10, current: 6). Consider deploying, or changing the agent placement strategy instead.";
        fleet.scaleRefusal = new SingularityException(400, "PUT", "/requests/request/lb-nginx-edge/scale", words);

        Reply refused = send("PUT", "/api/v1/fleet/edge/scale", "{\"instances\":10}");
        LbmCli.Run lbm = LbmCli.run(app.getLocalPort(), TestTokens.ADMIN, "scale", "edge", "10");

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().path("message").asText()).isEqualTo("singularity refused (400): " + words);
        assertThat(lbm.exit()).isEqualTo(1);
        assertThat(lbm.output()).isEqualTo("lbm: 409 singularity refused (400): " + words + "\n");
        assertThat(fleet.instances).isEqualTo(3);
    }

    @Test
    void lbmStartsPausesResumesCancelsBlocksAndShowsAnUpgrade() throws Exception {
        int port = app.getLocalPort();
        LbmCli.Run started = LbmCli.run(port, TestTokens.ADMIN, "upgrade", "edge", "nginx:2", "--step", "1", "--no-wait");
        LbmCli.Run paused = LbmCli.run(port, TestTokens.ADMIN, "pause", "edge");
        LbmCli.Run resumed = LbmCli.run(port, TestTokens.ADMIN, "resume", "edge");
        LbmCli.Run status = LbmCli.run(port, TestTokens.ADMIN, "status", "edge", "-o", "json");
        LbmCli.Run cancelled = LbmCli.run(port, TestTokens.ADMIN, "cancel", "edge");
        LbmCli.Run watched = LbmCli.run(port, TestTokens.ADMIN, "watch", "edge");
        LbmCli.Run onTerminal = LbmCli.runOnTerminal(port, TestTokens.ADMIN, "watch", "edge");
        LbmCli.Run history = LbmCli.run(port, TestTokens.ADMIN, "history", "edge");
        System.out.printf("lbm watch (file):%n%slbm watch (terminal):%n%s", watched.output(), onTerminal.output());

        assertThat(started.exit()).as(started.output()).isZero();
        assertThat(started.output()).contains("group edge  backend memory  image nginx:1  instances 3", "RUNNING: nginx:1 -> nginx:2, step");
        assertThat(paused.output()).contains(" PAUSED: nginx:1 -> nginx:2");
        assertThat(resumed.output()).contains(" RUNNING: nginx:1 -> nginx:2");
        assertThat(JSON.readTree(status.output()).path("upgrade").path("toImage").asText()).isEqualTo("nginx:2");
        assertThat(cancelled.exit()).as(cancelled.output()).isZero();
        String ended = JSON.readTree(LbmCli.run(port, TestTokens.ADMIN, "-o", "json", "status", "edge").output()).path("upgrade")
                .path("state").asText();
        assertThat(ended).isNotIn("RUNNING", "PAUSED", "SUCCEEDED");
        assertThat(watched.exit()).as("an upgrade that did not succeed").isEqualTo(1);
        assertThat(watched.output()).containsPattern("(?m)^upgrade \\S+  nginx:1 -> nginx:2$")
                .containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d \\[" + ended + "\\] ").doesNotContain("\u001B");
        assertThat(onTerminal.exit()).isEqualTo(1);
        assertThat(onTerminal.output()).containsPattern("(?m)^upgrade \\S+  nginx:1 -> nginx:2  \\[" + ended + "\\]$")
                .contains("  step 1/3  ", "  tasks ready ");
        assertThat(history.output()).contains(ended, "nginx:1 -> nginx:2");

        assertThat(LbmCli.run(port, TestTokens.ADMIN, "block", "edge", "change", "freeze").output())
                .isEqualTo("group edge blocked: change freeze\n");
        LbmCli.Run refused = LbmCli.run(port, TestTokens.ADMIN, "upgrade", "edge", "nginx:3");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.output()).startsWith("lbm: 409 ").contains("change freeze");
        assertThat(LbmCli.run(port, TestTokens.ADMIN, "unblock", "edge").output()).isEqualTo("group edge unblocked\n");
        assertThat(LbmCli.run(port, TestTokens.ADMIN, "upgrade", "edge", "nginx:3", "--crash-budget", "-1").exit()).isEqualTo(2);
        assertThat(LbmCli.run(port, TestTokens.ADMIN, "scale", "edge", "many").exit()).isEqualTo(2);
        assertThat(fleet.instances).isEqualTo(3);
    }

    @Test
    void aSchedulerFailureIsA502InItsWords() throws Exception {
        fleet.scaleRefusal = new SingularityException(503, "PUT", "/requests/request/lb-nginx-edge/scale", "leader unknown");

        Reply failed = send("PUT", "/api/v1/fleet/edge/scale", "{\"instances\":4}");

        assertThat(failed.status()).isEqualTo(502);
        assertThat(failed.json().path("message").asText()).isEqualTo("singularity failed (503): leader unknown");
    }

    private record Reply(int status, JsonNode json) {
    }

    private static Reply send(String method, String path, String body) throws Exception {
        return sendAs(method, path, body, "ops");
    }

    private static Reply sendAs(String method, String path, String body, String user) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getLocalPort() + path))
                .header("Authorization", TestTokens.bearer(TestTokens.ADMIN));
        if (user.chars().allMatch(c -> c >= 0x20)) {
            request.header("X-LBM-User", user);
        } else {
            request.header("X-LBM-User", user.replaceAll("\\p{Cntrl}", "%"));
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body().isEmpty() ? null : JSON.readTree(response.body()));
    }
}
