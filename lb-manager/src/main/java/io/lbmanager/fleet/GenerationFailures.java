package io.lbmanager.fleet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What went wrong with each generation's tasks on a backend that runs tasks itself (Docker): the
 * last {@value #KEPT} failures per generation, and the restart back-off they cause.
 */
final class GenerationFailures {

    private static final Logger LOG = LoggerFactory.getLogger(GenerationFailures.class);
    private static final int KEPT = 20;

    private final Map<String, List<TaskFailure>> failures = new ConcurrentHashMap<>();
    private final CrashBackoff backoff;

    GenerationFailures(CrashBackoff backoff) {
        this.backoff = backoff;
    }

    void record(String group, String generation, TaskFailure failure) {
        Duration wait = backoff.failed(generation, failure.atMillis());
        failures.compute(generation, (id, seen) -> {
            List<TaskFailure> kept = new ArrayList<>(seen == null ? List.of() : seen);
            kept.add(failure);
            return List.copyOf(kept.subList(Math.max(kept.size() - KEPT, 0), kept.size()));
        });
        LOG.warn("fleet=docker group={} generation={} state=TASK_FAILED nextStartInMs={} failure={}", group, generation,
                wait.toMillis(), failure.describe());
    }

    List<TaskFailure> of(String generation) {
        return failures.getOrDefault(generation, List.of());
    }

    /** Whether a task of the generation may be started now (not within its back-off). */
    boolean mayStart(String generation) {
        return backoff.mayStart(generation, System.currentTimeMillis());
    }

    /** The generation ended (succeeded or cancelled), or runs healthy again: its next crash waits the shortest time. */
    void forget(String generation) {
        failures.remove(generation);
        backoff.reset(generation);
    }
}
