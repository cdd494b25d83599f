package io.lbmanager.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.lbmanager.fleet.DockerTaskRunner;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * Every {@code everyMillis}, the Nginx worker generations alive in each container of a Docker
 * fleet (read from this host's /proc), keeping the maximum per container.
 */
final class ContainerWorkerSampler implements AutoCloseable {

    private final Map<String, Integer> maxByContainer = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    ContainerWorkerSampler(DockerClient docker, String fleetName, long everyMillis) {
        thread = new Thread(() -> {
            while (running.get()) {
                try {
                    sample(docker, fleetName);
                    Thread.sleep(everyMillis);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // the engine or /proc changed under us; next round
                }
            }
        }, "container-worker-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void sample(DockerClient docker, String fleetName) {
        Set<String> fleet = docker.listContainersCmd().withLabelFilter(Map.of(DockerTaskRunner.LABEL_FLEET, fleetName)).exec()
                .stream().map(Container::getId).collect(Collectors.toSet());
        NginxWorkers.mastersInContainers().forEach((container, master) -> {
            if (fleet.contains(container)) {
                maxByContainer.merge(container, NginxWorkers.generationsOf(master).generations(), Math::max);
            }
        });
    }

    /** The most generations seen at once in any one container. */
    int maxGenerations() {
        return maxByContainer.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    int containersSeen() {
        return maxByContainer.size();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.interrupt();
        thread.join(5_000);
    }
}
