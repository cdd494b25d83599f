package io.lbmanager.testsupport;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * Polls until a condition holds or a deadline passes; the failure names what was awaited and the
 * last value (or error) seen, so a timed-out wait says where things stood.
 */
public final class Await {

    private static final long POLL_MILLIS = 50;

    private Await() {
    }

    /** Until {@code condition} returns true; an exception it throws counts as "not yet". */
    public static void await(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        await(what, timeout, condition, Boolean.TRUE::equals);
    }

    /** Until {@code done} accepts what {@code probe} returns; returns that value. */
    public static <T> T await(String what, Duration timeout, Callable<T> probe, Predicate<? super T> done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object last = "nothing (never probed)";
        while (true) {
            try {
                T value = probe.call();
                if (done.test(value)) {
                    return value;
                }
                last = value;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what + " (last seen: " + last + ")");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
