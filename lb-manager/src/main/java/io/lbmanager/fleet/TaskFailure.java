package io.lbmanager.fleet;

import java.util.List;

/**
 * What went wrong with one task of a generation, as an operator needs it to act: which task, what
 * happened (exited with a status, image not found, could not be placed, failed its health check),
 * and the last lines it printed (already sanitized by {@link TaskOutput}).
 *
 * @param taskId   the task, or {@code (not started)} when it never got one
 * @param what     one short phrase: {@code exited with status 3}, {@code image not found: ...}
 * @param output   the last lines of the task's output, oldest first; may be empty
 * @param atMillis when the failure was seen
 */
public record TaskFailure(String taskId, String what, List<String> output, long atMillis) {

    public TaskFailure {
        output = List.copyOf(output);
    }

    /** {@code task X exited with status 3; last output: "a" "b"}. */
    public String describe() {
        String text = "task " + taskId + " " + what;
        return output.isEmpty() ? text : text + "; last output: " + String.join(" | ", output);
    }
}
