package io.lbmanager.upgrade;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lbmanager.fleet.DockerTaskRunner;
import io.lbmanager.fleet.FleetBackend;
import io.lbmanager.fleet.GenerationSpec;
import io.lbmanager.fleet.singularity.SingularityFleet;
import io.lbmanager.fleet.singularity.SingularityHttp;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.singularity.SingularityOracle;
import io.lbmanager.testsupport.singularity.SingularitySimulator;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The upgrade scenarios on SingularityFleet against the Singularity simulator, whose tasks are real
 * containers. The group starts from singularity-deploys/edge/ (request.json, deploy.json), with
 * the image under test and the test's ZooKeeper filled in.
 */
class SingularityFleetUpgradeIT extends FleetUpgradeScenarios {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "Bearer it-token";

    private SingularitySimulator simulator;

    @Override
    FleetBackend startBackend(DockerTaskRunner containers, String image, int instances) throws Exception {
        simulator = SingularitySimulator.start(containers, Duration.ofMillis(1500));
        SingularityFleet singularity = new SingularityFleet(new SingularityHttp(simulator.baseUrl(), Optional.of(TOKEN),
                Duration.ofSeconds(1), Duration.ofSeconds(10), 2), "lb-nginx-");
        SingularityGroupFiles.submitFirstDeploy(singularity, GROUP, instances, image, ZK.connectString(), LAYOUT.root(),
                deploy -> deploy.withObject("healthcheck").put("startupTimeoutSeconds", 90));
        return singularity;
    }

    @Override
    void stopBackend() {
        if (simulator != null) {
            simulator.close();
        }
    }

    @Test
    @Order(20)
    void singularityRulesHoldForDeployIdsAndPendingDeploys() throws Exception {
        String first = SingularityGroupFiles.deploysDir().resolve(GROUP).resolve("deploy.json").toString();
        ObjectNode deploy = (ObjectNode) JSON.readTree(Path.of(first).toFile()).get("deploy");
        deploy.withObject("containerInfo").withObject("docker").put("image", baseImage);

        HttpResponse<String> badId = postDeploy(deploy.deepCopy().put("id", "has-dash"));
        HttpResponse<String> reused = postDeploy(deploy.deepCopy());
        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(badId.headers().firstValue("Content-Type")).hasValue("text/plain");
        assertThat(reused.statusCode()).isEqualTo(400);
        assertThat(reused.body()).contains("already been deployed");

        fleet.startGeneration(GROUP, new GenerationSpec("it_pending_1", nextImage, 1, 1, 60_000, "it"));
        try {
            HttpResponse<String> conflict = postDeploy(deploy.deepCopy().put("id", "it_pending_2"));
            assertThat(conflict.statusCode()).isEqualTo(409);
            assertThat(JSON.readTree(conflict.body()).path("code").asInt()).isEqualTo(409);
            assertThatThrownBy(() -> fleet.startGeneration(GROUP, new GenerationSpec("it_pending_3", nextImage, 1, 1, 60_000, "it")))
                    .hasMessageContaining("it_pending_1");
        } finally {
            fleet.cancelGeneration(GROUP, "it_pending_1");
        }
        Await.await("the cancel to take effect", SLOW, () -> fleet.progress(GROUP, "it_pending_1").finished());
        assertThat(fleet.progress(GROUP, "it_pending_1").toString()).contains("CANCELED");
        awaitServing(2, baseImage);
    }

    @Test
    @Order(25)
    void anImageThatDoesNotExistFailsTheDeployAtOnceAndSaysSo() throws Exception {
        String missing = baseImage.replaceFirst(":[^:/]*$", "") + ":it-missing-" + System.nanoTime();
        long started = System.nanoTime();

        operations.startUpgrade(GROUP, missing, 1, 2, 0.0, "it");
        UpgradeView done = awaitFinished(new java.util.TreeSet<>());

        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("missing image through Singularity: %s after %d ms: %s%n", done.state(), tookMillis, done.message());
        assertThat(done.state()).as(done.message()).isEqualTo(UpgradeState.ROLLED_BACK);
        assertThat(done.message()).contains("Failed to launch container", "No such image", missing);
        assertThat(tookMillis).isLessThan(10_000);
        awaitServing(2, baseImage);
    }

    @Test
    @Order(30)
    void everyCallAndEveryAnswerParsesWithSingularitysOwnModels() {
        List<SingularitySimulator.Exchange> exchanges = simulator.exchanges();
        assertThat(exchanges).extracting(exchange -> exchange.method() + " " + exchange.path().replaceAll("/[^/]*\\d[^/]*", "/*"))
                .contains("POST /requests", "POST /deploys", "POST /deploys/update", "PUT /requests/request/lb-nginx-edge/scale",
                        "GET /requests/request/lb-nginx-edge", "GET /tasks/ids/request/lb-nginx-edge", "GET /tasks/task/*");
        assertThat(exchanges).anyMatch(exchange -> exchange.method().equals("DELETE"));
        assertThat(exchanges).anyMatch(exchange -> exchange.path().startsWith("/history/") && exchange.status() == 200);
        for (SingularitySimulator.Exchange exchange : exchanges) {
            if (exchange.path().startsWith("/deploys") && exchange.requestBody().contains("has-dash")) {
                continue;
            }
            SingularityOracle.assertSingularityParses(exchange);
        }
        assertThat(exchanges).filteredOn(exchange -> exchange.authorization() == null).isEmpty();
        System.out.printf("singularity exchanges checked against SingularityBase: %d%n", exchanges.size());
    }

    private HttpResponse<String> postDeploy(ObjectNode deploy) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.set("deploy", deploy);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/api/deploys"))
                        .header("Content-Type", "application/json").header("Authorization", TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
