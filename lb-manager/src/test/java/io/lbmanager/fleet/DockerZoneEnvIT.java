package io.lbmanager.fleet;

import com.github.dockerjava.api.DockerClient;
import io.lbmanager.testsupport.DockerSupport;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The Docker fleet sets {@code LBM_ZONE} in the containers of the groups {@code fleet.zones} names, and only there. */
class DockerZoneEnvIT {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static DockerClient docker;
    private static String fleetName;
    private static Optional<String> whyUnusable;

    @BeforeEach
    void skipWithoutDockerOrImage() {
        DockerSupport.assumeUsable(whyUnusable);
    }

    @BeforeAll
    static void connect() {
        whyUnusable = DockerSupport.whyUnusable(DockerSupport.image());
        if (whyUnusable.isEmpty()) {
            docker = DockerClients.local();
            fleetName = DockerSupport.uniqueFleetName("zone");
        }
    }

    @AfterAll
    static void removeContainers() throws Exception {
        if (docker != null) {
            DockerSupport.removeFleet(docker, fleetName);
            docker.close();
        }
    }

    @Test
    void aZonedGroupsTasksGetLbmZoneAndOtherGroupsDoNot() {
        DockerTaskRunner runner = new DockerTaskRunner(docker, DockerSupport.image(), fleetName, ZK.connectString(), "/lbm-zone-it")
                .inZones(Map.of("east-edge", "east"));

        NginxTask east = runner.startTask("east-edge");
        NginxTask plain = runner.startTask("edge");

        assertThat(env(east.taskId())).contains("LBM_ZONE=east", "LBM_GROUP=east-edge");
        assertThat(env(plain.taskId())).noneMatch(variable -> variable.startsWith("LBM_ZONE="));
    }

    private static List<String> env(String containerName) {
        return List.of(docker.inspectContainerCmd(containerName).exec().getConfig().getEnv());
    }
}
