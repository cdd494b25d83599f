package io.lbmanager.testsupport.singularity;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.HostConfig;
import io.lbmanager.fleet.DockerTaskRunner;
import io.lbmanager.testsupport.DockerSupport;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.Value;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the stand-in's agents do with a launched task: run its Docker image on the local engine with
 * host networking, the offered ports and the task's environment ({@code PORT0..n}, {@code TASK_HOST},
 * {@code TASK_ID} added when Singularity did not set them; the task's command, if any, instead of the
 * image's entrypoint), named by its Mesos task id and labelled
 * with a fleet name so {@link DockerSupport#removeFleet} clears them; then report what the
 * container does.
 */
final class StandInContainers {

    /** Where a task's container got to; {@code message} says why for a terminal state. */
    interface StatusSink {
        void report(String taskId, TaskState state, String message);
    }

    record Running(TaskInfo task, StandInAgent agent, List<Integer> ports, double cpus, double memoryMb) {
    }

    private final DockerClient docker;
    private final String fleetName;
    private final StatusSink sink;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Map<String, Boolean> killed = new ConcurrentHashMap<>();
    private final Map<String, Boolean> started = new ConcurrentHashMap<>();

    StandInContainers(DockerClient docker, String fleetName, StatusSink sink) {
        this.docker = docker;
        this.fleetName = fleetName;
        this.sink = sink;
    }

    Map<String, Running> running() {
        return running;
    }

    /** Reserves the task's resources at once (the offer is spent), then starts its container. */
    Running reserve(TaskInfo task, StandInAgent agent) {
        double cpus = 0;
        double memory = 0;
        List<Integer> ports = new ArrayList<>();
        for (Resource resource : task.getResourcesList()) {
            switch (resource.getName()) {
                case "cpus" -> cpus += resource.getScalar().getValue();
                case "mem" -> memory += resource.getScalar().getValue();
                case "ports" -> {
                    for (Value.Range range : resource.getRanges().getRangeList()) {
                        for (long port = range.getBegin(); port <= range.getEnd(); port++) {
                            ports.add((int) port);
                        }
                    }
                }
                default -> {
                }
            }
        }
        Running launched = new Running(task, agent, ports, cpus, memory);
        running.put(task.getTaskId().getValue(), launched);
        return launched;
    }

    void start(Running task) {
        String taskId = task.task().getTaskId().getValue();
        try {
            Map<String, String> env = new LinkedHashMap<>();
            for (int i = 0; i < task.ports().size(); i++) {
                env.put("PORT" + i, Integer.toString(task.ports().get(i)));
            }
            env.put("TASK_HOST", task.agent().host());
            env.put("TASK_ID", taskId);
            for (Environment.Variable variable : task.task().getCommand().getEnvironment().getVariablesList()) {
                env.put(variable.getName(), variable.getValue());
            }
            String image = task.task().getContainer().getDocker().getImage();
            var create = docker.createContainerCmd(image);
            CommandInfo command = task.task().getCommand();
            if (command.hasValue() && !command.getValue().isEmpty()) {
                // What Mesos' Docker containerizer does with a task's command: shell (the default) runs it with sh -c.
                List<String> entrypoint = new ArrayList<>(command.getShell() ? List.of("/bin/sh", "-c", command.getValue())
                        : List.of(command.getValue()));
                if (!command.getShell()) {
                    entrypoint.addAll(command.getArgumentsList());
                }
                create.withEntrypoint(entrypoint).withCmd(List.of());
            }
            create.withName(taskId)
                    .withLabels(Map.of(DockerTaskRunner.LABEL_FLEET, fleetName, DockerTaskRunner.LABEL_TASK, taskId))
                    .withEnv(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                    .withHostConfig(HostConfig.newHostConfig().withNetworkMode("host"))
                    .exec();
            sink.report(taskId, TaskState.TASK_STARTING, "");
            docker.startContainerCmd(taskId).exec();
            started.put(taskId, true);
            sink.report(taskId, TaskState.TASK_RUNNING, "");
        } catch (RuntimeException e) {
            running.remove(taskId);
            remove(taskId);
            sink.report(taskId, TaskState.TASK_FAILED, "container did not start: " + e.getMessage());
        }
    }

    /** Stops the task's container; the task ends KILLED (or LOST when unknown). */
    void kill(String taskId) {
        if (!running.containsKey(taskId)) {
            sink.report(taskId, TaskState.TASK_LOST, "unknown task");
            return;
        }
        killed.put(taskId, true);
        try {
            docker.stopContainerCmd(taskId).withTimeout(5).exec();
        } catch (RuntimeException alreadyStoppedOrGone) {
            // reported below either way
        }
        if (running.remove(taskId) != null) {
            sink.report(taskId, TaskState.TASK_KILLED, "killed by the scheduler");
        }
        remove(taskId);
    }

    /** Reports tasks whose container ended by itself: FINISHED on exit 0, FAILED otherwise. */
    void reportExited() {
        for (String taskId : List.copyOf(running.keySet())) {
            if (killed.containsKey(taskId) || !started.containsKey(taskId)) {
                continue;
            }
            InspectContainerResponse.ContainerState state;
            try {
                state = docker.inspectContainerCmd(taskId).exec().getState();
            } catch (NotFoundException gone) {
                running.remove(taskId);
                sink.report(taskId, TaskState.TASK_FAILED, "container removed");
                continue;
            } catch (RuntimeException notYetCreated) {
                continue;
            }
            if (state == null || Boolean.TRUE.equals(state.getRunning()) || "created".equals(state.getStatus())) {
                continue;
            }
            Long exitCode = state.getExitCodeLong();
            String tail = DockerSupport.logTail(docker, taskId);
            if (running.remove(taskId) != null) {
                sink.report(taskId, exitCode != null && exitCode == 0 ? TaskState.TASK_FINISHED : TaskState.TASK_FAILED,
                        "Container exited with status " + exitCode + ": " + tail);
            }
            remove(taskId);
        }
    }

    void removeAll() {
        for (String taskId : List.copyOf(running.keySet())) {
            remove(taskId);
        }
        running.clear();
    }

    private void remove(String taskId) {
        try {
            docker.removeContainerCmd(taskId).withForce(true).exec();
        } catch (RuntimeException gone) {
            // nothing to remove
        }
    }
}
