package io.lbmanager.fleet;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Why a container of the fleet is not running, read from the engine before the container is
 * removed: its exit status (or the engine's error, or the OOM kill) and the last lines it printed.
 * Also says whether an image exists on the engine, since no registry is consulted.
 */
public final class ContainerPostMortem {

    private static final int TAIL_LINES = 20;

    private final DockerClient docker;

    public ContainerPostMortem(DockerClient docker) {
        this.docker = docker;
    }

    public TaskFailure of(String taskId, long nowMillis) {
        String what;
        try {
            InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(taskId).exec().getState();
            what = describe(state);
        } catch (NotFoundException gone) {
            return new TaskFailure(taskId, "disappeared (its container was removed)", List.of(), nowMillis);
        } catch (DockerException e) {
            what = "stopped (the engine could not say why: " + oneLine(e.getMessage()) + ")";
        }
        return new TaskFailure(taskId, what, TaskOutput.lastLines(logTail(taskId)), nowMillis);
    }

    /** The last lines a (running or stopped) task printed, sanitized. */
    public List<String> lastOutput(String taskId) {
        return TaskOutput.lastLines(logTail(taskId));
    }

    /** Why the image cannot run here, phrased to follow the word "image", or empty when the engine has it. */
    public Optional<String> imageProblem(String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return Optional.empty();
        } catch (NotFoundException e) {
            return Optional.of(image + " not found on the Docker engine (no registry is consulted; build or load it first)");
        }
    }

    /** A failure to create or start a container, phrased for an operator. */
    public static TaskFailure notStarted(String image, RuntimeException e, long nowMillis) {
        String message = oneLine(e.getMessage());
        String what;
        if (e instanceof NotFoundException && message.toLowerCase().contains("image")) {
            what = "never started: image " + image + " not found";
        } else if (message.toLowerCase().contains("address already in use") || message.contains("port is already allocated")) {
            what = "never started: port in use (" + message + ")";
        } else {
            what = "never started: " + message;
        }
        return new TaskFailure("(not started)", what, List.of(), nowMillis);
    }

    private static String describe(InspectContainerResponse.ContainerState state) {
        if (Boolean.TRUE.equals(state.getOOMKilled())) {
            return "was killed for running out of memory";
        }
        String error = state.getError();
        if (error != null && !error.isBlank()) {
            String lower = error.toLowerCase();
            if (lower.contains("address already in use") || lower.contains("port is already allocated")) {
                return "never started: port in use (" + oneLine(error) + ")";
            }
            return "never started: " + oneLine(error);
        }
        if ("created".equals(state.getStatus())) {
            return "was created but never started";
        }
        Long exit = state.getExitCodeLong();
        return "exited with status " + (exit == null ? "unknown" : exit);
    }

    private String logTail(String taskId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            docker.logContainerCmd(taskId).withStdOut(true).withStdErr(true).withTail(TAIL_LINES)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            if (out.size() < TaskOutput.READ_BYTES) {
                                out.writeBytes(frame.getPayload());
                            }
                        }
                    })
                    .awaitCompletion(3, TimeUnit.SECONDS);
        } catch (DockerException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String oneLine(String message) {
        String line = TaskOutput.oneLine(message);
        return line.isEmpty() ? "no message" : line;
    }
}
