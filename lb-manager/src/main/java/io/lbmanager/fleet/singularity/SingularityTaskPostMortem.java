package io.lbmanager.fleet.singularity;

import io.lbmanager.fleet.TaskFailure;
import io.lbmanager.fleet.TaskOutput;
import io.lbmanager.fleet.singularity.SingularityModel.FileChunk;
import io.lbmanager.fleet.singularity.SingularityModel.TaskHistory;
import io.lbmanager.fleet.singularity.SingularityModel.TaskUpdate;

import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What happened to a failed Singularity task: its last status update ({@code GET /api/history/task/{id}}:
 * Mesos' state and message, e.g. {@code TASK_FAILED: Container exited with status 3}) and the tail of
 * its stderr from the sandbox ({@code GET /api/sandbox/{id}/read?path=stderr}: first without an offset,
 * which answers the file's size, then the last {@link TaskOutput#READ_BYTES} bytes). Best effort: a
 * sandbox that is gone (agent lost, task never started) leaves the output empty.
 */
final class SingularityTaskPostMortem {

    private static final Pattern TASK_ID = Pattern.compile("[a-zA-Z0-9_.:-]{1,300}");

    private final SingularityHttp http;

    SingularityTaskPostMortem(SingularityHttp http) {
        this.http = http;
    }

    Optional<TaskFailure> of(String taskId, String deployFailureReason, long nowMillis) {
        if (taskId == null || !TASK_ID.matcher(taskId).matches()) {
            return Optional.empty();
        }
        String what = deployFailureReason + lastUpdate(taskId).map(update -> " (" + describe(update) + ")").orElse("");
        return Optional.of(new TaskFailure(taskId, what, TaskOutput.lastLines(stderrTail(taskId)), nowMillis));
    }

    private Optional<TaskUpdate> lastUpdate(String taskId) {
        try {
            return http.get("/history/task/" + taskId, TaskHistory.class)
                    .flatMap(history -> history.taskUpdates() == null ? Optional.empty()
                            : history.taskUpdates().stream().max(Comparator.comparingLong(TaskUpdate::timestamp)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private String stderrTail(String taskId) {
        String path = "/sandbox/" + taskId + "/read?path=stderr";
        try {
            Optional<FileChunk> size = http.get(path, FileChunk.class);
            if (size.isEmpty()) {
                return "";
            }
            long from = Math.max(size.get().offset() - TaskOutput.READ_BYTES, 0);
            return http.get(path + "&offset=" + from + "&length=" + TaskOutput.READ_BYTES, FileChunk.class)
                    .map(FileChunk::data).orElse("");
        } catch (UncheckedIOException | IllegalStateException e) {
            return "";
        }
    }

    private static String describe(TaskUpdate update) {
        String message = TaskOutput.oneLine(update.statusMessage());
        return update.taskState() + (message.isEmpty() ? "" : ": " + message);
    }

}
