package io.lbmanager.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Which of the master's reconfiguration cycles refused which version. The master handles reload
 * signals one cycle at a time and logs {@code reconfiguring} when a cycle starts and
 * {@code start worker processes} when it loaded the config; an {@code [emerg]} in between is the
 * refusal of the config that cycle read. A cycle reads what {@code live} points to when it starts,
 * so it belongs to the newest reload signalled before it; older ones not yet started were merged
 * into it by the kernel (signals do not queue). A cycle can outlast the agent's wait for it (a huge
 * config on a busy host): its refusal then still goes to its own version, never to a later one.
 */
final class ReloadLedger {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadLedger.class);
    private static final int LINES_KEPT = 20;

    private static final class Reload {
        final ServedVersion version;
        final List<String> refusal = new ArrayList<>();
        boolean givenUp;

        Reload(ServedVersion version) {
            this.version = version;
        }
    }

    private final List<Reload> notStarted = new ArrayList<>();
    private final Map<ServedVersion, Reload> latestByVersion = new HashMap<>();
    private Reload inCycle;
    private volatile BiConsumer<ServedVersion, String> lateRefusals = (version, error) -> { };

    /** Told about a refusal that came after the agent stopped waiting for its version. */
    synchronized void onLateRefusal(BiConsumer<ServedVersion, String> listener) {
        lateRefusals = listener;
    }

    /** The agent is about to signal a reload onto {@code version}. */
    synchronized void signalled(ServedVersion version) {
        Reload reload = new Reload(version);
        notStarted.add(reload);
        latestByVersion.put(version, reload);
    }

    /** A new master: nothing signalled to the old one will be answered. */
    synchronized void masterStarted() {
        notStarted.clear();
        latestByVersion.clear();
        inCycle = null;
    }

    /** The master logged {@code reconfiguring}; with no reload of ours waiting, someone else sent the signal. */
    synchronized void cycleStarted() {
        inCycle = notStarted.isEmpty() ? null : notStarted.get(notStarted.size() - 1);
        notStarted.clear();
    }

    /** The master logged {@code start worker processes}: the cycle, if any, loaded its config. */
    synchronized void workersStarted() {
        inCycle = null;
    }

    /** An {@code [emerg]} line, already in {@code nginx -t}'s words. */
    void emerg(String line) {
        ServedVersion late = null;
        synchronized (this) {
            if (inCycle == null) {
                return; // not about a reload the agent signalled
            }
            if (inCycle.refusal.size() < LINES_KEPT) {
                inCycle.refusal.add(line);
            }
            if (inCycle.givenUp && inCycle.refusal.size() == 1) {
                late = inCycle.version;
            }
        }
        if (late != null) {
            LOG.warn("nginx refused version {} after the agent stopped waiting for it: {}", late.version(), line);
            lateRefusals.accept(late, line);
        }
    }

    /** What the master said when it refused the latest reload onto {@code version}, if it did. */
    synchronized Optional<String> refusal(ServedVersion version) {
        Reload reload = latestByVersion.get(version);
        return reload == null || reload.refusal.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", reload.refusal));
    }

    /** The agent no longer waits for the latest reload onto {@code version}: a refusal from now on is late. */
    synchronized void givenUp(ServedVersion version) {
        Reload reload = latestByVersion.get(version);
        if (reload != null) {
            reload.givenUp = true;
        }
    }
}
