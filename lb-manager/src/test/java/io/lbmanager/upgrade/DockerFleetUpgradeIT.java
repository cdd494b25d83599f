package io.lbmanager.upgrade;

import io.lbmanager.errors.InvalidInputException;
import io.lbmanager.fleet.DockerFleetBackend;
import io.lbmanager.fleet.DockerTaskRunner;
import io.lbmanager.fleet.FleetBackend;
import io.lbmanager.fleet.NginxTask;
import io.lbmanager.zk.ZkNodes;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The upgrade scenarios on the Docker backend: generations as labelled containers. */
class DockerFleetUpgradeIT extends FleetUpgradeScenarios {

    private DockerFleetBackend generations;

    @Override
    FleetBackend startBackend(DockerTaskRunner containers, String image, int instances) {
        generations = new DockerFleetBackend(containers, new ZkNodes(client), LAYOUT, Map.of(GROUP, instances),
                Duration.ofMillis(1500)).checkingEvery(Duration.ofMillis(500));
        generations.start();
        return generations;
    }

    @Test
    @Order(9)
    void anImageThatDoesNotExistIsRefusedBeforeAnyTaskIsTouched() {
        Set<String> before = taskIds();
        String missing = baseImage.replaceFirst(":[^:/]*$", "") + ":it-missing-" + UUID.randomUUID().toString().substring(0, 6);
        long started = System.nanoTime();

        assertThatThrownBy(() -> operations.startUpgrade(GROUP, missing, 1, 2, 0.0, "it"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(missing + " not found on the Docker engine");

        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(10_000);
        assertThat(taskIds()).isEqualTo(before);
        assertThat(fleet.deployment(GROUP).pendingGeneration()).isEmpty();
    }

    private Set<String> taskIds() {
        return fleet.tasks(GROUP).stream().map(NginxTask::taskId).collect(Collectors.toSet());
    }

    @Override
    void stopBackend() {
        if (generations != null) {
            generations.close();
        }
    }
}
