package io.lbmanager.fleet;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Readiness of new tasks over successive probes: a task that was ready and then fails its
 * {@code /ready} probe {@link #MISSES_IN_A_ROW} times in a row is a task failure, once per drop (a task
 * still starting is not: only the step timeout ends that wait).
 */
final class ReadinessWatch {

    static final int MISSES_IN_A_ROW = 3;

    private final Set<String> wasReady = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> misses = new ConcurrentHashMap<>();

    /** Records one probe of the task; returns the failure when this probe makes it one. */
    Optional<TaskFailure> observe(NginxTask task, boolean ready, TaskHealth health, long nowMillis) {
        String id = task.taskId();
        if (ready) {
            wasReady.add(id);
            misses.remove(id);
            return Optional.empty();
        }
        if (!wasReady.contains(id) || misses.merge(id, 1, Integer::sum) != MISSES_IN_A_ROW) {
            return Optional.empty();
        }
        return Optional.of(new TaskFailure(id, "stopped being ready: failed its readiness probe " + MISSES_IN_A_ROW
                + " times in a row (" + health.notReadyReason(task) + ")", List.of(), nowMillis));
    }

    /** Forgets tasks that are gone. */
    void keepOnly(Collection<String> taskIds) {
        wasReady.retainAll(taskIds);
        misses.keySet().retainAll(taskIds);
    }
}
