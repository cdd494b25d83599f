package io.lbmanager.agent;

import java.util.Optional;

/** What happened when the agent tried to make Nginx serve a version. */
public sealed interface ApplyOutcome {

    /** The version that was asked for. */
    ServedVersion requested();

    /** Nginx confirmed, through its own traffic port, that it serves the requested version. */
    record Applied(ServedVersion requested) implements ApplyOutcome {
    }

    /**
     * The version never went live: Nginx refused it ({@code nginx -t} before a start, the master
     * on a reload), the bundle was unusable, or Nginx could not be (re)loaded. {@code stillServing}
     * is what Nginx serves now, if anything.
     */
    record Rejected(ServedVersion requested, String error, Optional<ServedVersion> stillServing) implements ApplyOutcome {
    }

    /** Nginx was reloaded but did not answer with the new version in time; the agent switched back. */
    record TimedOut(ServedVersion requested, String error, Optional<ServedVersion> stillServing) implements ApplyOutcome {
    }
}
