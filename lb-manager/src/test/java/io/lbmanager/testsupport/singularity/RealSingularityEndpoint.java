package io.lbmanager.testsupport.singularity;

import com.github.dockerjava.api.DockerClient;
import io.lbmanager.fleet.DockerClients;
import io.lbmanager.testsupport.DockerSupport;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The real SingularityService 1.5.0 ({@link RealSingularity}) over {@link MesosMasterStandIn} with
 * {@code agents} loopback agents whose tasks are real containers of {@code image}.
 */
public final class RealSingularityEndpoint implements SingularityEndpoint {

    private final DockerClient docker;
    private final String fleetName;
    private final String image;
    private final MesosMasterStandIn master;
    private final RealSingularity singularity;

    private RealSingularityEndpoint(DockerClient docker, String fleetName, String image, MesosMasterStandIn master,
                                    RealSingularity singularity) {
        this.docker = docker;
        this.fleetName = fleetName;
        this.image = image;
        this.master = master;
        this.singularity = singularity;
    }

    public static RealSingularityEndpoint start(int zooKeeperPort, int agents, String image) throws Exception {
        DockerClient docker = DockerClients.local();
        String fleetName = DockerSupport.uniqueFleetName("contract");
        MesosMasterStandIn master = MesosMasterStandIn.start(StandInAgent.onLoopback(agents,
                StandInAgent.freePortRange(agents * 10), 10, Map.of()), docker, fleetName);
        try {
            RealSingularity singularity = RealSingularity.start(zooKeeperPort, master,
                    Path.of("target", "singularity-it", fleetName), "contract", List.of());
            return new RealSingularityEndpoint(docker, fleetName, image, master, singularity);
        } catch (Exception e) {
            master.close();
            DockerSupport.removeFleet(docker, fleetName);
            docker.close();
            throw e;
        }
    }

    @Override
    public String baseUrl() {
        return singularity.baseUrl();
    }

    @Override
    public int activeAgents() {
        return master.agents().size();
    }

    @Override
    public String taskImage() {
        return image;
    }

    @Override
    public Set<String> runningTaskIds() {
        return master.runningTasks();
    }

    @Override
    public void close() {
        singularity.close();
        master.close();
        DockerSupport.removeFleet(docker, fleetName);
        try {
            docker.close();
        } catch (java.io.IOException ignored) {
            // nothing left to release
        }
    }

    @Override
    public String toString() {
        return "SingularityService 1.5.0 at " + baseUrl();
    }
}
