package io.lbmanager.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker generations one Nginx master still drains after its reloads, oldest first; each is
 * the set of workers that took connections when the reload retiring them was signalled. Before a
 * reload that would leave more than the bound, the oldest are ended at once (SIGTERM: a worker
 * exits without waiting for its requests, which are cut), rather than the reload waiting for them
 * to drain: a structural change is never held up by long requests. Nginx does not respawn them:
 * it already told them to quit.
 */
final class OldGenerations {

    private static final Logger LOG = LoggerFactory.getLogger(OldGenerations.class);
    private static final Duration EXIT_WAIT = Duration.ofSeconds(2);
    private static final int ENDED_WORKERS_KEPT = 256;

    private final OldGenerationBound bound;
    private final List<List<ProcessHandle>> draining = new ArrayList<>();
    private final AtomicLong ended = new AtomicLong();
    /** Workers ended lately: Nginx's alerts as they abort ("open socket left in connection") are expected. */
    private final Set<Long> endedWorkers = Collections.synchronizedSet(Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > ENDED_WORKERS_KEPT;
        }
    }));

    OldGenerations(OldGenerationBound bound) {
        this.bound = bound;
    }

    /** A new master: the generations of a previous one are not its own. */
    synchronized void masterStarted() {
        draining.clear();
    }

    /**
     * The master is about to be told to reload, which retires {@code retiringPids} (its workers that
     * take connections now): ends the oldest old generations so that at most the bound drain afterwards.
     */
    synchronized void beforeReload(List<Long> retiringPids) throws InterruptedException {
        Set<Long> retiringSet = Set.copyOf(retiringPids);
        // a refused reload leaves its workers taking connections: they belong to this reload, not an earlier one
        draining.replaceAll(generation -> generation.stream()
                .filter(ProcessHandle::isAlive)
                .filter(worker -> !retiringSet.contains(worker.pid()))
                .toList());
        draining.removeIf(List::isEmpty);
        List<ProcessHandle> retiring = retiringPids.stream().map(ProcessHandle::of).flatMap(Optional::stream).toList();
        int after = draining.size() + (retiring.isEmpty() ? 0 : 1);
        while (bound.enforced() && after > bound.max() && !draining.isEmpty()) {
            end(draining.remove(0), after);
            after--;
        }
        if (!retiring.isEmpty()) {
            draining.add(retiring);
        }
    }

    /** Whether {@code pid} is a worker this agent ended lately; on Nginx's output thread, never waits for an end in progress. */
    boolean endedWorker(long pid) {
        return endedWorkers.contains(pid);
    }

    /** Old generations this agent ended before a reload since it started. */
    long ended() {
        return ended.get();
    }

    private void end(List<ProcessHandle> generation, int wouldDrain) throws InterruptedException {
        Optional<Instant> started = generation.stream().map(worker -> worker.info().startInstant()).flatMap(Optional::stream)
                .min(Instant::compareTo);
        generation.forEach(worker -> endedWorkers.add(worker.pid()));
        generation.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + EXIT_WAIT.toNanos();
        while (generation.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        generation.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        ended.incrementAndGet();
        LOG.warn("nginx old worker generation ended before a reload (max old generations {}, the reload would leave {}): workers {}{}, "
                        + "their open requests cut; {} ended since start", bound, wouldDrain,
                generation.stream().map(ProcessHandle::pid).toList(),
                started.map(at -> " started " + Duration.between(at, Instant.now()).toSeconds() + " s ago").orElse(""), ended.get());
    }
}
