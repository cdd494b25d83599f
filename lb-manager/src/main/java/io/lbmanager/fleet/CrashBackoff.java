package io.lbmanager.fleet;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How long to wait before starting a replacement for a crashed task, per generation: after the
 * n-th failure in a row {@code first * 2^(n-1)}, at most {@code max}. A generation whose tasks are
 * all healthy again starts over ({@link #reset}).
 */
public final class CrashBackoff {

    public static final Duration FIRST = Duration.ofSeconds(1);
    public static final Duration MAX = Duration.ofSeconds(60);

    private record Failures(int count, long lastAtMillis) {
    }

    private final Duration first;
    private final Duration max;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    public CrashBackoff(Duration first, Duration max) {
        this.first = first;
        this.max = max;
    }

    /** Records one more failure of the generation; returns the wait before the next start. */
    public Duration failed(String generation, long nowMillis) {
        Failures next = failures.merge(generation, new Failures(1, nowMillis),
                (old, one) -> new Failures(old.count() + 1, nowMillis));
        return delay(next.count());
    }

    /** Whether a task of the generation may be started now. */
    public boolean mayStart(String generation, long nowMillis) {
        Failures current = failures.get(generation);
        return current == null || nowMillis - current.lastAtMillis() >= delay(current.count()).toMillis();
    }

    public void reset(String generation) {
        failures.remove(generation);
    }

    Duration delay(int failuresInARow) {
        long millis = first.toMillis() << Math.min(Math.max(failuresInARow - 1, 0), 30);
        return Duration.ofMillis(Math.min(millis, max.toMillis()));
    }
}
