package io.lbmanager.hibernation;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;

import java.util.List;
import java.util.Map;

/**
 * A service's backend containers on the local Docker engine: the containers labelled
 * {@value #LABEL}={@code handle}. Hibernating stops them (SIGTERM first, so their registrants
 * unregister); waking starts the stopped ones again, with the configuration they were created with.
 */
public final class DockerBackends implements Scheduler {

    public static final String LABEL = "lb-manager.backend";
    private static final int STOP_TIMEOUT_SECONDS = 10;

    private final DockerClient docker;

    public DockerBackends(DockerClient docker) {
        this.docker = docker;
    }

    @Override
    public int scaleToZero(String handle) {
        List<Container> running = containers(handle, false);
        for (Container container : running) {
            try {
                docker.stopContainerCmd(container.getId()).withTimeout(STOP_TIMEOUT_SECONDS).exec();
            } catch (NotModifiedException alreadyStopped) {
                // stopped meanwhile
            }
        }
        return running.size();
    }

    @Override
    public void scaleUp(String handle, int instances) {
        List<Container> all = containers(handle, true);
        if (all.isEmpty()) {
            throw new IllegalStateException("no container on the Docker engine has the label " + LABEL + "=" + handle);
        }
        for (Container container : all) {
            if (!"running".equals(container.getState())) {
                try {
                    docker.startContainerCmd(container.getId()).exec();
                } catch (NotModifiedException alreadyRunning) {
                    // started meanwhile
                }
            }
        }
    }

    private List<Container> containers(String handle, boolean stoppedToo) {
        return docker.listContainersCmd().withShowAll(stoppedToo).withLabelFilter(Map.of(LABEL, handle)).exec();
    }
}
