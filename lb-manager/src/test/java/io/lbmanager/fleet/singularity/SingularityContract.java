package io.lbmanager.fleet.singularity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hubspot.singularity.SingularityDeployHistory;
import com.hubspot.singularity.SingularityRequestParent;
import com.hubspot.singularity.SingularityTaskIdsByStatus;
import io.lbmanager.hibernation.SingularityScaler;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.singularity.SingularityEndpoint;
import io.lbmanager.testsupport.singularity.SingularityOracle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What lb-manager's Singularity backend relies on in Singularity 1.5.0's HTTP behaviour, as tests
 * that run unchanged against the real server ({@code RealSingularityContractIT}) and against the
 * simulator ({@code SimulatedSingularityContractTest}): the simulator counts as a stand-in only
 * as far as these pass on both. Every request uses {@code SEPARATE_BY_REQUEST} on the endpoint's
 * agents; every task runs {@link #TASK_COMMAND}: an Nginx on {@code $TASK_HOST:$PORT0} answering
 * 200 on {@code /healthy} and 503 on anything else. Each test has its own request, deleted after it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SingularityContract {

    /** What a contract task runs (the image's {@code sh} and {@code nginx}); the simulator's tasks answer the same. */
    public static final String TASK_COMMAND = "printf 'daemon off; pid /tmp/contract.pid; error_log stderr; events {} "
            + "http { access_log off; server { listen %s:%s; location /healthy { return 200 healthy; } "
            + "location / { return 503 sick; } } }' \"$TASK_HOST\" \"$PORT0\" > /tmp/contract.conf "
            + "&& exec nginx -c /tmp/contract.conf";
    static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger REQUESTS = new AtomicInteger();

    /** One answer: status, Content-Type (without parameters) and body. */
    record Answer(int status, String contentType, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON (" + status + " " + contentType + "): " + body, e);
            }
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    SingularityEndpoint singularity;
    Optional<String> whyUnusable = Optional.empty();
    String requestId;

    /** Why the Singularity under test cannot run here, or empty. */
    abstract Optional<String> whyUnusable();

    /** Starts the Singularity under test. */
    abstract SingularityEndpoint startEndpoint() throws Exception;

    @BeforeAll
    void start() throws Exception {
        whyUnusable = whyUnusable();
        if (whyUnusable.isEmpty()) {
            singularity = startEndpoint();
        }
    }

    @AfterAll
    void stop() {
        if (singularity != null) {
            singularity.close();
        }
    }

    @BeforeEach
    void nameTheRequest(TestInfo test) {
        assumeTrue(whyUnusable.isEmpty(), () -> "skipped: " + whyUnusable.orElse(""));
        requestId = "contract-" + REQUESTS.incrementAndGet() + "-" + test.getTestMethod().orElseThrow().getName()
                .replaceAll("[^a-zA-Z]", "").toLowerCase().substring(0, 12);
    }

    @AfterEach
    void deleteTheRequest() throws Exception {
        if (singularity != null) {
            call("DELETE", "/requests/request/" + requestId, null);
        }
    }

    // ------------------------------------------------------------------ requests and scale

    @Test
    void postingTheSameRequestTwiceIsHarmless() throws Exception {
        Answer first = call("POST", "/requests", request(2));
        Answer second = call("POST", "/requests", request(2));

        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(second.status()).as(second.body()).isEqualTo(200);
        Answer read = call("GET", "/requests/request/" + requestId, null);
        assertThat(read.status()).isEqualTo(200);
        assertThat(SingularityOracle.parse(read.body(), SingularityRequestParent.class).getRequest().getInstancesSafe())
                .isEqualTo(2);
    }

    @Test
    void aRequestNeedingMoreAgentsThanAreActiveIsRefusedInPlainText() throws Exception {
        int tooMany = singularity.activeAgents() + 1;

        Answer refused = call("POST", "/requests", request(tooMany));

        System.out.println("create refused: " + refused);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.contentType()).isEqualTo("text/plain");
        assertThat(refused.body()).contains("Not enough active agents")
                .contains("minimum required: " + tooMany + ",", "current: " + singularity.activeAgents() + ")");
        Answer read = call("GET", "/requests/request/" + requestId, null);
        assertThat(read.status()).isEqualTo(404);
        assertThat(read.json().path("message").asText()).isNotEmpty();
    }

    @Test
    void aScaleBeyondTheActiveAgentsIsRefusedAndChangesNothing() throws Exception {
        assertThat(call("POST", "/requests", request(1)).status()).isEqualTo(200);
        int tooMany = singularity.activeAgents() + 1;

        Answer refused = call("PUT", "/requests/request/" + requestId + "/scale", JSON.createObjectNode().put("instances", tooMany));

        System.out.println("scale refused: " + refused);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.contentType()).isEqualTo("text/plain");
        assertThat(refused.body()).as("the new instances beside the old one").contains("Not enough active agents")
                .contains("minimum required: " + (tooMany + 1) + ",", "current: " + singularity.activeAgents() + ")");
        assertThat(call("GET", "/requests/request/" + requestId, null).json().path("request").path("instances").asInt())
                .isEqualTo(1);
    }

    /** Hibernation's way to zero (Singularity refuses a scale to 0 instances): pausing kills the tasks, unpausing brings them back. */
    @Test
    void hibernatingPausesARequestsTasksAwayAndWakingBringsItsInstancesBack() throws Exception {
        runningFirstDeploy(2);
        SingularityScaler scaler = new SingularityScaler(new SingularityRequests(new SingularityHttp(singularity.baseUrl(),
                Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(10), 0)));

        assertThat(scaler.scaleToZero(requestId)).as("instances to bring back").isEqualTo(2);
        Await.await("the paused request's tasks gone", DEPLOY_TIMEOUT, () -> singularity.runningTaskIds().isEmpty());
        assertThat(call("GET", "/requests/request/" + requestId, null).json().path("state").asText()).isEqualTo("PAUSED");

        scaler.scaleUp(requestId, 2);
        Await.await("the woken request's two tasks healthy", DEPLOY_TIMEOUT,
                () -> healthyTasksByDeploy().getOrDefault("d1", 0) == 2);
        assertThat(call("GET", "/requests/request/" + requestId, null).json().path("state").asText()).isEqualTo("ACTIVE");
    }

    // ------------------------------------------------------------------ deploys

    @Test
    void aDeployWaitsUntilItsTasksAreHealthyThenSucceedsAndLeavesHistory() throws Exception {
        assertThat(call("POST", "/requests", request(2)).status()).isEqualTo(200);

        Answer posted = call("POST", "/deploys", deployRequest(deploy("d1", "/healthy")));

        assertThat(posted.status()).as(posted.body()).isEqualTo(200);
        JsonNode pending = call("GET", "/requests/request/" + requestId, null).json();
        assertThat(pending.path("pendingDeployState").path("currentDeployState").asText()).isEqualTo("WAITING");
        assertThat(pending.path("requestDeployState").path("pendingDeploy").path("deployId").asText()).isEqualTo("d1");
        JsonNode result = awaitDeployResult("d1");
        assertThat(result.path("deployState").asText()).as(result.toString()).isEqualTo("SUCCEEDED");
        JsonNode parent = call("GET", "/requests/request/" + requestId, null).json();
        assertThat(parent.path("activeDeploy").path("id").asText()).isEqualTo("d1");
        assertThat(parent.has("pendingDeploy")).isFalse();
        assertThat(healthyTasksByDeploy()).containsEntry("d1", 2);
        assertThat(singularity.runningTaskIds()).hasSize(2);

        Answer update = call("POST", "/deploys/update", update("d1", 2));
        System.out.println("update after the deploy finished: " + update);
        assertThat(update.status()).isEqualTo(400);
        assertThat(update.contentType()).isEqualTo("text/plain");
        assertThat(update.body()).contains("does not have a pending deploy");
    }

    @Test
    void aDeployWhoseTasksCannotAllBePlacedBesideTheOldOnesIsRefused() throws Exception {
        int instances = singularity.activeAgents() - 1;
        runningFirstDeploy(instances);

        Answer refused = call("POST", "/deploys", deployRequest(deploy("d2", "/healthy")));

        System.out.println("deploy refused: " + refused);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.contentType()).isEqualTo("text/plain");
        assertThat(refused.body()).contains("Not enough active agents")
                .contains("minimum required: " + 2 * instances + ",", "current: " + singularity.activeAgents() + ")");
        assertThat(call("GET", "/requests/request/" + requestId, null).json().has("pendingDeploy")).isFalse();
    }

    @Test
    void stepsAdvancedByUpdateStartNewTasksAndRetireOldOnesOnlyWhenTheDeploySucceeds() throws Exception {
        long waitMillis = 5000;
        runningFirstDeploy(2);
        postSteppedDeploy("d2", "TIMED", waitMillis);

        Await.await("step 1 of d2 launched and healthy", DEPLOY_TIMEOUT, () -> stepLaunched(1));
        Thread.sleep(2000);
        assertThat(healthyTasksByDeploy()).as("after step 1, held").containsEntry("d1", 2).containsEntry("d2", 1);

        Answer update = call("POST", "/deploys/update", update("d2", 2));
        long updated = System.nanoTime();
        assertThat(update.status()).as(update.body()).isEqualTo(200);
        List<Map<String, Integer>> seen = new ArrayList<>();
        Await.await("d2 to end", DEPLOY_TIMEOUT, () -> {
            seen.add(tasksByDeploy());
            return deployResult("d2") != null;
        });

        long tookMillis = (System.nanoTime() - updated) / 1_000_000;
        assertThat(deployResult("d2").path("deployState").asText()).isEqualTo("SUCCEEDED");
        System.out.println("tasks by deploy while the update step ran: " + seen + "; succeeded " + tookMillis + " ms after the update");
        assertThat(tookMillis).as("TIMED waits waitMillisBetweenGroups after the last group too").isGreaterThanOrEqualTo(waitMillis);
        assertThat(seen).as("d1's tasks while d2 ran its update step")
                .anyMatch(tasks -> tasks.getOrDefault("d1", 0) == 2 && tasks.getOrDefault("d2", 0) == 2);
        Await.await("d1's tasks cleaned up", DEPLOY_TIMEOUT, () -> !tasksByDeploy().containsKey("d1")
                && singularity.runningTaskIds().size() == 2);
    }

    @Test
    void withoutAcceptanceChecksAGroupRetiresOldTasksAndSingularityStillWaitsBetweenGroups() throws Exception {
        runningFirstDeploy(2);
        postSteppedDeploy("d2", "NONE", 3000);

        List<Map<String, Integer>> seen = new ArrayList<>();
        Await.await("step 1 of d2 launched and healthy", DEPLOY_TIMEOUT, () -> {
            seen.add(tasksByDeploy());
            return stepLaunched(1);
        });
        long stepOneDone = System.nanoTime();
        JsonNode result = Await.await("d2 to end", DEPLOY_TIMEOUT, () -> {
            seen.add(tasksByDeploy());
            return deployResult("d2");
        }, done -> done != null);
        long tookMillis = (System.nanoTime() - stepOneDone) / 1_000_000;

        System.out.printf("d2 succeeded %d ms after its first group was healthy (waitMillisBetweenGroups 3000); tasks: %s%n",
                tookMillis, seen);
        assertThat(result.path("deployState").asText()).isEqualTo("SUCCEEDED");
        assertThat(tookMillis).as("the wait between groups").isGreaterThanOrEqualTo(2500);
        assertThat(seen).as("a finished group retires as many old tasks").anyMatch(tasks -> tasks.getOrDefault("d1", 0) == 1
                && tasks.getOrDefault("d2", 0) == 1);
        assertThat(seen).as("never more than instances + group size").allMatch(tasks -> tasks.values().stream()
                .mapToInt(Integer::intValue).sum() <= 3);
    }

    @Test
    void aFailingHealthCheckFailsTheDeployAfterMaxRetriesPlusOneAnswersAndSaysWhich() throws Exception {
        runningFirstDeploy(1);
        long started = System.nanoTime();

        assertThat(call("POST", "/deploys", deployRequest(deploy("d2", "/sick"))).status()).isEqualTo(200);
        JsonNode result = awaitDeployResult("d2");
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        System.out.printf("sick deploy ended after %d ms: %s%n", tookMillis, result);
        assertThat(result.path("deployState").asText()).isEqualTo("FAILED");
        assertThat(tookMillis).as("well before the 120 s start-up timeout").isLessThan(60_000);
        assertThat(result.path("deployFailures").get(0).path("reason").asText()).isEqualTo("TASK_FAILED_HEALTH_CHECKS");
        assertThat(result.path("deployFailures").get(0).path("message").asText()).contains("503");
        assertThat(call("GET", "/requests/request/" + requestId, null).json().path("activeDeploy").path("id").asText())
                .isEqualTo("d1");
    }

    @Test
    void aSecondDeployWhileOneIsPendingIsAConflictThatReservesNothing() throws Exception {
        runningFirstDeploy(2);
        postSteppedDeploy("d2", "TIMED", 600_000);

        Answer conflict = call("POST", "/deploys", deployRequest(deploy("d3", "/healthy")));
        Answer reused = call("POST", "/deploys", deployRequest(deploy("d1", "/healthy")));
        Answer badId = call("POST", "/deploys", deployRequest(deploy("has-dash", "/healthy")));

        System.out.println("conflict: " + conflict + "\nreused: " + reused + "\nbad id: " + badId);
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().path("code").asInt()).isEqualTo(409);
        assertThat(conflict.json().path("message").asText()).contains("d2");
        assertThat(reused.status()).isEqualTo(400);
        assertThat(reused.contentType()).isEqualTo("text/plain");
        assertThat(reused.body()).contains("already been deployed");
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.contentType()).isEqualTo("text/plain");

        Answer cancel = call("DELETE", "/deploys/deploy/d2/request/" + requestId, null);
        assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
        assertThat(awaitDeployResult("d2").path("deployState").asText()).isEqualTo("CANCELED");
        assertThat(call("GET", "/requests/request/" + requestId, null).json().path("activeDeploy").path("id").asText())
                .isEqualTo("d1");
        Answer afterCancel = call("POST", "/deploys", deployRequest(deploy("d3", "/healthy")));
        assertThat(afterCancel.status()).as("the id the 409 refused is still free: " + afterCancel.body()).isEqualTo(200);
        assertThat(awaitDeployResult("d3").path("deployState").asText()).isEqualTo("SUCCEEDED");
    }

    // ------------------------------------------------------------------ bodies

    /** The test's request with {@code instances}, and its first deploy d1 succeeded. */
    void runningFirstDeploy(int instances) throws Exception {
        assertThat(call("POST", "/requests", request(instances)).status()).isEqualTo(200);
        assertThat(call("POST", "/deploys", deployRequest(deploy("d1", "/healthy"))).status()).isEqualTo(200);
        assertThat(awaitDeployResult("d1").path("deployState").asText()).isEqualTo("SUCCEEDED");
    }

    ObjectNode request(int instances) {
        ObjectNode request = JSON.createObjectNode();
        request.put("id", requestId);
        request.put("requestType", "SERVICE");
        request.putArray("owners").add("contract@example.com");
        request.put("instances", instances);
        request.put("agentPlacement", "SEPARATE_BY_REQUEST");
        SingularityOracle.parse(request.toString(), com.hubspot.singularity.SingularityRequest.class);
        return request;
    }

    ObjectNode deploy(String deployId, String healthPath) {
        ObjectNode deploy = JSON.createObjectNode();
        deploy.put("requestId", requestId);
        deploy.put("id", deployId);
        ObjectNode container = deploy.putObject("containerInfo");
        container.put("type", "DOCKER");
        container.putObject("docker").put("image", singularity.taskImage()).put("network", "HOST");
        deploy.put("command", TASK_COMMAND);
        deploy.put("shell", true);
        deploy.putObject("resources").put("cpus", 0.1).put("memoryMb", 32).put("numPorts", 1);
        deploy.putObject("healthcheck").put("uri", healthPath).put("portIndex", 0).put("protocol", "HTTP")
                .put("startupDelaySeconds", 0).put("startupTimeoutSeconds", 120).put("startupIntervalSeconds", 1)
                .put("intervalSeconds", 1).put("responseTimeoutSeconds", 2).put("maxRetries", 2);
        deploy.put("deployHealthTimeoutSeconds", 120);
        return deploy;
    }

    /** Posts a healthy deploy in two groups of one: canary steps with this acceptance mode and wait between groups. */
    void postSteppedDeploy(String deployId, String acceptanceMode, long waitMillis) throws Exception {
        ObjectNode deploy = deploy(deployId, "/healthy");
        deploy.putObject("canaryDeploySettings").put("enableCanaryDeploy", true).put("instanceGroupSize", 1)
                .put("acceptanceMode", acceptanceMode).put("waitMillisBetweenGroups", waitMillis)
                .put("allowedTasksFailuresPerGroup", 0).put("canaryCycleCount", 2);
        Answer posted = call("POST", "/deploys", deployRequest(deploy));
        assertThat(posted.status()).as(posted.body()).isEqualTo(200);
    }

    ObjectNode deployRequest(ObjectNode deploy) {
        ObjectNode body = JSON.createObjectNode();
        body.set("deploy", deploy);
        body.put("message", "contract test");
        if (!deploy.path("id").asText().contains("-")) {
            SingularityOracle.parse(body.toString(), com.hubspot.singularity.api.SingularityDeployRequest.class);
        }
        return body;
    }

    ObjectNode update(String deployId, int target) {
        return JSON.createObjectNode().put("requestId", requestId).put("deployId", deployId).put("targetActiveInstances", target);
    }

    // ------------------------------------------------------------------ reading state

    /** The deploy's result from its history, or null while it has none. */
    JsonNode deployResult(String deployId) throws Exception {
        Answer history = call("GET", "/history/request/" + requestId + "/deploy/" + deployId, null);
        if (history.status() != 200) {
            return null;
        }
        SingularityOracle.parse(history.body(), SingularityDeployHistory.class);
        JsonNode result = history.json().path("deployResult");
        return result.isMissingNode() || result.isNull() ? null : result;
    }

    JsonNode awaitDeployResult(String deployId) throws Exception {
        return Await.await(deployId + " to end", DEPLOY_TIMEOUT, () -> deployResult(deployId), result -> result != null);
    }

    boolean stepLaunched(int target) throws Exception {
        JsonNode progress = call("GET", "/requests/request/" + requestId, null).json()
                .path("pendingDeployState").path("deployProgress");
        return progress.path("targetActiveInstances").asInt() == target && progress.path("stepLaunchComplete").asBoolean();
    }

    /** Healthy tasks per deploy id. */
    Map<String, Integer> healthyTasksByDeploy() throws Exception {
        return countByDeploy(List.of("healthy"));
    }

    /** Running tasks (healthy or not yet) per deploy id. */
    Map<String, Integer> tasksByDeploy() throws Exception {
        return countByDeploy(List.of("healthy", "notYetHealthy"));
    }

    private Map<String, Integer> countByDeploy(List<String> states) throws Exception {
        Answer ids = call("GET", "/tasks/ids/request/" + requestId, null);
        assertThat(ids.status()).as(ids.body()).isEqualTo(200);
        SingularityOracle.parse(ids.body(), SingularityTaskIdsByStatus.class);
        Map<String, Integer> counts = new TreeMap<>();
        for (String state : states) {
            for (JsonNode task : ids.json().path(state)) {
                counts.merge(task.path("deployId").asText(), 1, Integer::sum);
            }
        }
        return counts;
    }

    Answer call(String method, String path, JsonNode body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(singularity.baseUrl() + "/api" + path))
                .timeout(Duration.ofSeconds(20));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String contentType = response.headers().firstValue("Content-Type").orElse("").replaceFirst(";.*", "").trim();
        return new Answer(response.statusCode(), contentType, response.body());
    }
}
