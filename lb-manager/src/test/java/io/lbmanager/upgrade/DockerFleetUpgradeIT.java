package io.lbmanager.upgrade;

import io.lbmanager.fleet.DockerFleet;
import io.lbmanager.fleet.DockerGenerations;
import io.lbmanager.fleet.FleetBackend;
import io.lbmanager.fleet.ZkJson;

import java.time.Duration;
import java.util.Map;

/** The upgrade scenarios on the Docker backend: generations as labelled containers. */
class DockerFleetUpgradeIT extends FleetUpgradeScenarios {

    private DockerGenerations generations;

    @Override
    FleetBackend startBackend(DockerFleet containers, String image, int instances) {
        generations = new DockerGenerations(containers, new ZkJson(client), LAYOUT, Map.of(GROUP, instances),
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
