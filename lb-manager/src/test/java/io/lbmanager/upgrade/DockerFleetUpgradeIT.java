package io.lbmanager.upgrade;

import io.lbmanager.fleet.DockerFleetBackend;
import io.lbmanager.fleet.DockerTaskRunner;
import io.lbmanager.fleet.FleetBackend;
import io.lbmanager.zk.ZkNodes;

import java.time.Duration;
import java.util.Map;

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

    @Override
    void stopBackend() {
        if (generations != null) {
            generations.close();
        }
    }
}
