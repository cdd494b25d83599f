package io.lbmanager.fleet;

/** Where a generation is, as its backend reports it. */
public sealed interface GenerationProgress {

    /** Still pending: {@code targetActive} tasks wanted, {@code launchComplete} once they all passed the backend's health check. */
    record InProgress(int targetActive, boolean launchComplete) implements GenerationProgress {
    }

    /** It is the active generation now. */
    record Succeeded() implements GenerationProgress {
    }

    /** The backend gave up on it (tasks failed health checks, overdue, ...); the previous generation stayed active. */
    record Failed(String reason) implements GenerationProgress {
    }

    /** Cancelled; the previous generation stayed active. */
    record Cancelled(String reason) implements GenerationProgress {
    }

    /** The backend does not know it (yet). */
    record Unknown(String reason) implements GenerationProgress {
    }

    default boolean finished() {
        return !(this instanceof InProgress) && !(this instanceof Unknown);
    }
}
