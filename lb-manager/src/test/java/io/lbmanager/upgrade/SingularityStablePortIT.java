package io.lbmanager.upgrade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import io.lbmanager.agent.ServedVersion;
import io.lbmanager.agent.VersionProbe;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.fleet.DockerClients;
import io.lbmanager.fleet.DockerTaskRunner;
import io.lbmanager.fleet.GenerationSpec;
import io.lbmanager.fleet.NginxTask;
import io.lbmanager.fleet.StablePorts;
import io.lbmanager.fleet.singularity.SingularityFleet;
import io.lbmanager.fleet.singularity.SingularityHttp;
import io.lbmanager.fleet.singularity.SingularityModel;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.BundlePublisher;
import io.lbmanager.testsupport.DockerSupport;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.NginxBundles;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.testsupport.singularity.MesosMasterStandIn;
import io.lbmanager.testsupport.singularity.RealSingularity;
import io.lbmanager.testsupport.singularity.SingularityOracle;
import io.lbmanager.testsupport.singularity.SingularitySimulator;
import io.lbmanager.testsupport.singularity.StandInAgent;
import io.lbmanager.zk.ZkLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A group with a stable traffic port (fleet.stablePorts) on Singularity, against the simulator and
 * against the real SingularityService 1.5.0 (with {@link MesosMasterStandIn}), tasks being real
 * containers either way: the operator's first deploy from singularity-deploys/ names the port in
 * {@code LBM_TRAFFIC_PORT}, Nginx serves on it, every deploy the manager posts carries it, and a
 * request that could put two tasks on one host is refused before anything is posted.
 */
class SingularityStablePortIT {

    private static final String GROUP = "edge";
    private static final ZkLayout LAYOUT = new ZkLayout("/lbm-stable-singularity");
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();

    private final Optional<String> whyUnusable = DockerSupport.whyUnusable(DockerSupport.image());
    private final String fleetName = DockerSupport.uniqueFleetName("stable-sing");
    private DockerClient docker;
    private SingularitySimulator simulator;
    private MesosMasterStandIn master;
    private RealSingularity singularity;

    @AfterEach
    void stopEverything() throws Exception {
        if (simulator != null) {
            simulator.close();
        }
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
    }

    @Test
    void onTheSimulatorEveryDeployCarriesTheGroupsPortAndAPlacementThatAllowsTwoTasksPerHostIsRefused() throws Exception {
        DockerSupport.assumeUsable(whyUnusable);
        docker = DockerClients.local();
        DockerTaskRunner containers = new DockerTaskRunner(docker, DockerSupport.image(), fleetName, ZK.connectString(), LAYOUT.root());
        simulator = SingularitySimulator.start(containers, Duration.ofMillis(500));

        stablePortScenario(simulator.baseUrl(), Optional.of("Bearer it"));

        SingularitySimulator.Exchange posted = deployPosts().get(deployPosts().size() - 1);
        assertThat(JSON.readTree(posted.requestBody()).path("deploy").path("env").path("LBM_TRAFFIC_PORT").asText())
                .isEqualTo(JSON.readTree(deployPosts().get(0).requestBody()).path("deploy").path("env").path("LBM_TRAFFIC_PORT").asText());
        assertThat(deployPosts()).hasSize(2); // the first deploy and the one upgrade that was not refused
        SingularityOracle.assertSingularityParses(posted);
    }

    @Test
    void onTheRealSingularityServerTheSame() throws Exception {
        DockerSupport.assumeUsable(whyUnusable);
        Optional<String> noJar = RealSingularity.whyUnusable();
        assumeTrue(noJar.isEmpty(), () -> "skipped: " + noJar.orElse(""));
        docker = DockerClients.local();
        master = MesosMasterStandIn.start(StandInAgent.onLoopback(3, StandInAgent.freePortRange(30), 10, Map.of("lb-group", GROUP)),
                docker, fleetName);
        singularity = RealSingularity.start(ZK.port(), master, Path.of("target", "singularity-it", fleetName), "singularity", List.of());

        stablePortScenario(singularity.baseUrl(), Optional.empty());
    }

    /**
     * The group's first deploy from singularity-deploys/ with a free port as its {@code LBM_TRAFFIC_PORT}: Nginx serves
     * on it; an upgrade is refused while the request's placement is OPTIMISTIC, and carries the port once it is
     * SEPARATE_BY_REQUEST again.
     */
    private void stablePortScenario(String baseUrl, Optional<String> authorization) throws Exception {
        SingularityHttp http = new SingularityHttp(baseUrl, authorization, Duration.ofSeconds(2), Duration.ofSeconds(20), 2);
        PublishedVersion v1 = new BundlePublisher(ZK.curator(), LAYOUT).publish(1, NginxBundles.proxyingTo(GROUP, 9));
        int stablePort = Http.freePort();
        SingularityFleet fleet = new SingularityFleet(http, "lb-nginx-", Map.of(), new StablePorts(Map.of(GROUP, List.of(stablePort))));
        SingularityGroupFiles.submitFirstDeploy(fleet, GROUP, 1, DockerSupport.image(), ZK.connectString(), LAYOUT.root(),
                deploy -> deploy.withObject("env").put("LBM_TRAFFIC_PORT", Integer.toString(stablePort)));

        NginxTask task = Await.await("the first deploy's task", Duration.ofSeconds(120), () -> fleet.tasks(GROUP),
                tasks -> tasks.size() == 1).get(0);
        assertThat(task.trafficPort()).isEqualTo(stablePort);
        assertThat(new VersionProbe(task.host(), stablePort).awaitVersion(new ServedVersion(1, v1.sha256()), Duration.ofSeconds(90)))
                .as(() -> DockerSupport.logTail(docker, task.taskId())).isTrue();
        Await.await("the first deploy active", Duration.ofSeconds(120),
                () -> fleet.deployment(GROUP).pendingGeneration().isEmpty() && !fleet.deployment(GROUP).image().isEmpty());

        fleet.submitRequest(request("OPTIMISTIC"));
        assertThatThrownBy(() -> fleet.startGeneration(GROUP, new GenerationSpec("it_stable_1", DockerSupport.image(), 1, 1, 60_000, "it")))
                .hasMessageContaining("agentPlacement OPTIMISTIC")
                .hasMessageContaining("SEPARATE_BY_REQUEST")
                .hasMessageContaining("fleet.stablePorts");
        assertThat(fleet.deployment(GROUP).pendingGeneration()).isEmpty();

        fleet.submitRequest(request("SEPARATE_BY_REQUEST"));
        fleet.startGeneration(GROUP, new GenerationSpec("it_stable_2", DockerSupport.image(), 1, 1, 60_000, "it"));
        try {
            HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(baseUrl + "/api/requests/request/lb-nginx-" + GROUP));
            authorization.ifPresent(value -> get.header("Authorization", value));
            JsonNode parent = JSON.readTree(HttpClient.newHttpClient().send(get.build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(parent.path("pendingDeploy").path("id").asText()).isEqualTo("it_stable_2");
            assertThat(parent.path("pendingDeploy").path("env").path("LBM_TRAFFIC_PORT").asText()).isEqualTo(Integer.toString(stablePort));
        } finally {
            fleet.cancelGeneration(GROUP, "it_stable_2");
        }
    }

    private List<SingularitySimulator.Exchange> deployPosts() {
        return simulator.exchanges().stream()
                .filter(exchange -> exchange.method().equals("POST") && exchange.path().equals("/deploys")).toList();
    }

    private static SingularityModel.Request request(String placement) throws Exception {
        Path file = SingularityGroupFiles.deploysDir().resolve(GROUP).resolve("request.json");
        com.fasterxml.jackson.databind.node.ObjectNode request = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(file.toFile());
        request.put("instances", 1).put("agentPlacement", placement);
        return JSON.treeToValue(request, SingularityModel.Request.class);
    }
}
