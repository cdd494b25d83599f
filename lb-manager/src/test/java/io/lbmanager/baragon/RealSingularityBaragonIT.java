package io.lbmanager.baragon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.fleet.DockerClients;
import io.lbmanager.testsupport.DockerSupport;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.Load;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.testsupport.singularity.MesosMasterStandIn;
import io.lbmanager.testsupport.singularity.RealSingularity;
import io.lbmanager.testsupport.singularity.StandInAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * lb-manager in Baragon's place in a Singularity installation: the real SingularityService 1.5.0
 * with {@code loadBalancerUri} pointing at the manager (and the token in {@code loadBalancerQueryParams},
 * the only thing its client can send), its tasks real containers started by the Mesos master
 * stand-in, the edge group's Nginx a real nginx on this host. The backend is the project's own
 * image, run as an Nginx of another group: {@code /_lbm/version} on its traffic port answers 200.
 */
class RealSingularityBaragonIT {

    private static final String EDGE = "edge";
    private static final String BACKENDS = "web-backend";
    private static final String PROBE = "/web/_lbm/version";
    private static final Duration SLOW = Duration.ofSeconds(240);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static RunningManager manager;
    private static HostAgent edge;
    private static DockerClient docker;
    private static String fleetName;
    private static MesosMasterStandIn master;
    private static RealSingularity singularity;

    @BeforeAll
    static void start() throws Exception {
        Optional<String> noJar = RealSingularity.whyUnusable();
        assumeTrue(noJar.isEmpty(), () -> "skipped: " + noJar.orElse(""));
        DockerSupport.assumeUsable(DockerSupport.whyUnusable(DockerSupport.image()));
        LbManagerConfiguration config = ManagerUnderTest.config(ZK.connectString(), EDGE, BACKENDS);
        config.baragon.enabled = true;
        manager = RunningManager.start(config);
        edge = HostAgent.start(ZK.connectString(), "/lb-manager", EDGE, "edge-1", dir.resolve("edge-1"));
        HttpResponse<String> token = send("POST", manager.api("/tokens"),
                "{\"team\":\"singularity\",\"scopes\":[\"service-owner\"],\"ttl\":\"90d\"}");
        assertThat(token.statusCode()).as(token.body()).isEqualTo(201);
        String key = json(token).path("secret").asText();
        docker = DockerClients.local();
        fleetName = DockerSupport.uniqueFleetName("baragon");
        master = MesosMasterStandIn.start(StandInAgent.onLoopback(3, StandInAgent.freePortRange(30), 10, Map.of()), docker, fleetName);
        singularity = RealSingularity.start(ZK.port(), master, Path.of("target", "singularity-it", fleetName), "singularity-baragon", List.of(
                "loadBalancerUri: " + manager.url("/baragon/v2/request"),
                "loadBalancerQueryParams:",
                "  authkey: " + key,
                "deleteRemovedRequestsFromLoadBalancer: true"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (singularity != null) {
            singularity.close();
        }
        if (master != null) {
            master.close();
        }
        if (docker != null) {
            DockerSupport.removeFleet(docker, fleetName);
            docker.close();
        }
        if (edge != null) {
            edge.close();
        }
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void aLoadBalancedServiceIsServedWhenItsDeployIsActiveSwapsWithoutAFailureAndLeavesWithItsRequest() throws Exception {
        singularityCall("POST", "/api/requests", """
                {"id":"web","requestType":"SERVICE","instances":1,"loadBalanced":true,"owners":["web-team@example.com"],
                 "agentPlacement":"OPTIMISTIC"}""");

        deploy("web_1");
        assertThat(Http.get(edge.trafficPort(), PROBE).status()).as("served as soon as Singularity says the deploy is active").isEqualTo(200);

        try (Load load = Load.toPorts(() -> List.of(edge.trafficPort())).path(PROBE).everyMillis(10).maxRequests(20_000).maxTime(Duration.ofMinutes(4))
                .start()) {
            await("load is flowing", SLOW, () -> load.sent() > 20);
            deploy("web_2");
            int atSwap = load.sent();
            await("load went on after the swap", SLOW, () -> load.sent() > atSwap + 20);
            load.stop();
            assertThat(load.failed()).as("failed requests across the deploy: " + load.firstFailures()).isZero();
        }
        JsonNode state = JSON.readTree(send("GET", manager.url("/baragon/v2/state/web"), null).body());
        assertThat(state.path("upstreams")).as("only the new deploy's task is an upstream").hasSize(1);

        singularityCall("DELETE", "/api/requests/request/web", null);
        await("the route is gone once Singularity removed the request", SLOW,
                () -> Http.tryGet(edge.trafficPort(), PROBE).status() == 404);
        assertThat(send("GET", manager.api("/services/web"), null).statusCode()).isEqualTo(404);
    }

    /** Posts a deploy of the image under test as an Nginx of the backends group and waits until Singularity says it is active. */
    private static void deploy(String deployId) throws Exception {
        singularityCall("POST", "/api/deploys", """
                {"deploy":{"requestId":"web","id":"%s",
                  "containerInfo":{"type":"DOCKER","docker":{"image":"%s","network":"HOST","privileged":false,"forcePullImage":false}},
                  "resources":{"cpus":0.5,"memoryMb":256,"numPorts":2,"diskMb":0},
                  "env":{"LBM_ZK":"%s","LBM_ZK_ROOT":"/lb-manager","LBM_GROUP":"%s","JAVA_OPTS":"-Xmx96m -XX:+UseSerialGC"},
                  "healthcheck":{"uri":"/ready","portIndex":1,"protocol":"HTTP","startupDelaySeconds":1,"startupTimeoutSeconds":120,
                                 "startupIntervalSeconds":1,"intervalSeconds":2,"responseTimeoutSeconds":3,"maxRetries":2},
                  "deployHealthTimeoutSeconds":180,
                  "serviceBasePath":"/web","loadBalancerGroups":["%s"],"loadBalancerPortIndex":0,
                  "loadBalancerOptions":{"stripBasePath":true}},
                 "message":"backend %s"}""".formatted(deployId, DockerSupport.image(), ZK.connectString(), BACKENDS, EDGE, deployId));
        await("deploy " + deployId + " active", SLOW, () -> {
            JsonNode request = JSON.readTree(singularityCall("GET", "/api/requests/request/web", null));
            String failure = lastDeployFailure(deployId);
            assertThat(failure).as("deploy " + deployId + " failed").isNull();
            return deployId.equals(request.path("activeDeploy").path("id").asText()) && request.path("pendingDeploy").isMissingNode();
        });
    }

    /** Singularity's own words when the deploy ended without success, else null. */
    private static String lastDeployFailure(String deployId) throws Exception {
        HttpResponse<String> history = HTTP.send(HttpRequest.newBuilder(URI.create(singularity.baseUrl() + "/api/history/request/web/deploy/"
                + deployId)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (history.statusCode() != 200) {
            return null;
        }
        JsonNode result = JSON.readTree(history.body()).path("deployResult");
        String state = result.path("deployState").asText("");
        return state.isEmpty() || state.equals("SUCCEEDED") || state.equals("WAITING") ? null : state + ": " + result;
    }

    private static String singularityCall(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(singularity.baseUrl() + path)).timeout(Duration.ofSeconds(20));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(method + " " + path + ": " + answer.body()).isBetween(200, 299);
        return answer.body();
    }
}
