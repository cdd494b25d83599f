package io.lbmanager.fleet.singularity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hubspot.singularity.DeployAcceptanceMode;
import com.hubspot.singularity.RequestType;
import com.hubspot.singularity.SingularityDeploy;
import com.hubspot.singularity.SingularityRequest;
import com.hubspot.singularity.SingularityUpdatePendingDeployRequest;
import com.hubspot.singularity.api.SingularityDeployRequest;
import com.hubspot.singularity.api.SingularityScaleRequest;
import io.lbmanager.fleet.GenerationSpec;
import io.lbmanager.testsupport.singularity.SingularityOracle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every JSON body SingularityFleet builds, and every file in singularity-deploys/, is one Singularity 1.5.0 parses with nothing unknown. */
class SingularityJsonTest {

    static Path deploysDir() {
        Path fromModule = Path.of("..", "singularity-deploys");
        return Files.isDirectory(fromModule) ? fromModule : Path.of("singularity-deploys");
    }

    static Stream<Path> groupDirs() throws IOException {
        try (Stream<Path> dirs = Files.list(deploysDir())) {
            return dirs.filter(Files::isDirectory).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("groupDirs")
    void requestFileIsASingularityServiceRequest(Path group) throws IOException {
        SingularityRequest request = SingularityOracle.parse(Files.readString(group.resolve("request.json")), SingularityRequest.class);

        assertThat(request.getRequestType()).isEqualTo(RequestType.SERVICE);
        assertThat(request.getId()).matches("[a-zA-Z0-9_-]{1,100}").endsWith(group.getFileName().toString());
        assertThat(request.getInstances()).hasValueSatisfying(instances -> assertThat(instances).isPositive());
        assertThat(request.isLoadBalanced()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("groupDirs")
    void deployFileIsADockerDeployWithReadyHealthCheckOnTheAdminPortAndRollingSteps(Path group) throws IOException {
        SingularityDeployRequest body = SingularityOracle.parse(Files.readString(group.resolve("deploy.json")),
                SingularityDeployRequest.class);
        SingularityDeploy deploy = body.getDeploy();
        SingularityRequest request = SingularityOracle.parse(Files.readString(group.resolve("request.json")), SingularityRequest.class);

        assertThat(deploy.getRequestId()).isEqualTo(request.getId());
        assertThat(deploy.getId()).matches(GenerationSpec.ID_PATTERN);
        assertThat(deploy.getResources().orElseThrow().getNumPorts()).isEqualTo(2);
        assertThat(deploy.getHealthcheck().orElseThrow().getUri()).hasValue("/ready");
        assertThat(deploy.getHealthcheck().orElseThrow().getPortIndex()).hasValue(1);
        assertThat(deploy.getEnv().orElseThrow()).containsKeys("LBM_ZK", "LBM_GROUP")
                .containsEntry("LBM_GROUP", group.getFileName().toString());
        assertThat(deploy.getContainerInfo().orElseThrow().getDocker().orElseThrow().getImage()).isNotBlank();
        assertThat(deploy.getCanaryDeploySettings().isEnableCanaryDeploy()).isTrue();
    }

    @Test
    void nextGenerationDeployKeepsTheOperatorsFieldsAndSetsImageIdAndSteps() throws IOException {
        ObjectNode file = (ObjectNode) SingularityHttp.JSON.readTree(deploysDir().resolve("edge/deploy.json").toFile());
        ObjectNode active = (ObjectNode) file.get("deploy");
        GenerationSpec spec = new GenerationSpec("u20261125T220000_ab12", "registry.example.com/lb-manager/nginx:1.1.0", 2, 2,
                75_000, "upgrade");

        ObjectNode next = SingularityFleet.nextDeploy(active, spec, 5);
        String body = new String(SingularityHttp.bodyBytes(new SingularityModel.DeployRequest(next, "upgrade to 1.1.0")));
        SingularityDeploy deploy = SingularityOracle.parse(body, SingularityDeployRequest.class).getDeploy();

        assertThat(deploy.getId()).isEqualTo("u20261125T220000_ab12");
        assertThat(deploy.getContainerInfo().orElseThrow().getDocker().orElseThrow().getImage())
                .isEqualTo("registry.example.com/lb-manager/nginx:1.1.0");
        assertThat(deploy.getCanaryDeploySettings().getInstanceGroupSize()).isEqualTo(2);
        assertThat(deploy.getCanaryDeploySettings().getAcceptanceMode()).isEqualTo(DeployAcceptanceMode.TIMED);
        assertThat(deploy.getCanaryDeploySettings().getWaitMillisBetweenGroups()).isEqualTo(75_000);
        assertThat(deploy.getCanaryDeploySettings().getCanaryCycleCount()).isEqualTo(3);
        assertThat(deploy.getHealthcheck().orElseThrow().getUri()).hasValue("/ready");
        assertThat(deploy.getEnv().orElseThrow()).containsEntry("LBM_GROUP", "edge");
        assertThat(active.path("id").asText()).isEqualTo("edge_1_0_0");
    }

    @Test
    void nextGenerationDeployCarriesTheAgentsCredentialsAndSigningKey() throws IOException {
        ObjectNode active = (ObjectNode) SingularityHttp.JSON.readTree(deploysDir().resolve("edge/deploy.json").toFile()).get("deploy");
        GenerationSpec spec = new GenerationSpec("u20261125T220000_cd34", "registry.example.com/lb-manager/nginx:1.1.0", 1, 1,
                60_000, "upgrade");

        ObjectNode next = SingularityFleet.nextDeploy(active, spec, 3,
                Map.of("LBM_ZK_AUTH", "lbm-agent:secret", "LBM_SIGNING_PUBLIC_KEY", "MCowBQYDK2VwAyEA"));
        String body = new String(SingularityHttp.bodyBytes(new SingularityModel.DeployRequest(next, "upgrade")));
        SingularityDeploy deploy = SingularityOracle.parse(body, SingularityDeployRequest.class).getDeploy();

        assertThat(deploy.getEnv().orElseThrow()).containsEntry("LBM_ZK_AUTH", "lbm-agent:secret")
                .containsEntry("LBM_SIGNING_PUBLIC_KEY", "MCowBQYDK2VwAyEA").containsEntry("LBM_GROUP", "edge");
    }

    @Test
    void theOracleRefusesAFieldSingularityDoesNotKnow() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SingularityOracle.parse(
                        "{\"id\":\"lb-nginx-edge\",\"requestType\":\"SERVICE\",\"instancez\":3}", SingularityRequest.class))
                .isInstanceOf(AssertionError.class).hasMessageContaining("instancez");
    }

    @Test
    void updateScaleAndRequestBodiesAreSingularitys() {
        SingularityUpdatePendingDeployRequest update = SingularityOracle.parse(new String(SingularityHttp.bodyBytes(
                new SingularityModel.UpdatePendingDeploy("lb-nginx-edge", "u1", 2))), SingularityUpdatePendingDeployRequest.class);
        SingularityScaleRequest scale = SingularityOracle.parse(new String(SingularityHttp.bodyBytes(
                new SingularityModel.Scale(4, "more traffic"))), SingularityScaleRequest.class);
        SingularityRequest request = SingularityOracle.parse(new String(SingularityHttp.bodyBytes(
                new SingularityModel.Request("lb-nginx-edge", "SERVICE", List.of("ops"), 3, false, true, "SEPARATE_BY_REQUEST",
                        null))), SingularityRequest.class);

        assertThat(update.getTargetActiveInstances()).isEqualTo(2);
        assertThat(update.getDeployId()).isEqualTo("u1");
        assertThat(scale.getInstances()).hasValue(4);
        assertThat(request.getInstances()).hasValue(3);
    }
}
