package io.lbmanager.testsupport.singularity;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import io.lbmanager.fleet.DockerClients;
import io.lbmanager.fleet.DockerTaskRunner;
import io.lbmanager.fleet.NginxTask;
import io.lbmanager.testsupport.DockerSupport;

import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** The simulator's tasks as real containers of the deploy's image, in {@code DockerTaskRunner}'s fleet (host networking, loopback ports). */
final class DockerSimulatedTasks implements SimulatedTasks {

    private final DockerTaskRunner docker;
    private final DockerClient engine = DockerClients.local();

    DockerSimulatedTasks(DockerTaskRunner docker) {
        this.docker = docker;
    }

    @Override
    public Ports start(String taskId, String requestId, String deployId, String image, Map<String, String> env) {
        NginxTask container = docker.startTask(requestId, image, deployId, env);
        return new Ports(container.trafficPort(), container.adminPort());
    }

    @Override
    public Map<String, Boolean> states() {
        return docker.allTasks().stream().collect(Collectors.toMap(NginxTask::taskId, NginxTask::running, (a, b) -> a || b));
    }

    @Override
    public void stop(String taskId) {
        docker.stopTask(taskId);
    }

    /** What Mesos' Docker executor reports for a container that ended, and the stderr it left in the sandbox. */
    @Override
    public Exit exit(String taskId) {
        String message;
        try {
            Long exit = engine.inspectContainerCmd(taskId).exec().getState().getExitCodeLong();
            message = "Container exited with status " + exit;
        } catch (RuntimeException gone) {
            message = "Container disappeared";
        }
        return new Exit(message, stderrOf(taskId), DockerSupport.logTail(engine, taskId));
    }

    private byte[] stderrOf(String containerId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            engine.logContainerCmd(containerId).withStdErr(true).withStdOut(false)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            if (out.size() < 1 << 20) {
                                out.writeBytes(frame.getPayload());
                            }
                        }
                    }).awaitCompletion(5, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            // no sandbox left: an empty stderr
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out.toByteArray();
    }
}
