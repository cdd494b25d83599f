package io.lbmanager.rollout;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Turns a burst of change signals into few runs of a task: the task runs once the signals have
 * been quiet for {@code quietMillis}, and never later than {@code maxDelayMillis} after the first
 * signal of the burst. A prompt signal that comes after {@code quietMillis} of calm, with no run
 * pending or in progress, runs the task at once instead: a lone change does not wait. Runs never
 * overlap; a signal during a run schedules one more run.
 */
public final class Coalescer implements AutoCloseable {

    private final Runnable task;
    private final long quietMillis;
    private final long maxDelayMillis;
    private final LongSupplier clock;
    private final ScheduledExecutorService executor;
    private ScheduledFuture<?> pending;
    private boolean pendingRunsAtOnce;
    private boolean running;
    private long burstStartMillis;
    private long lastSignalMillis;

    public Coalescer(String name, Runnable task, long quietMillis, long maxDelayMillis) {
        this(task, quietMillis, maxDelayMillis, Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        }));
    }

    /** @param executor runs the task; single-threaded, owned (and shut down) by this coalescer */
    Coalescer(Runnable task, long quietMillis, long maxDelayMillis, ScheduledExecutorService executor) {
        this.task = task;
        this.quietMillis = quietMillis;
        this.maxDelayMillis = Math.max(maxDelayMillis, quietMillis);
        this.clock = System::currentTimeMillis;
        this.lastSignalMillis = clock.getAsLong() - quietMillis;
        this.executor = executor;
    }

    /** Signals a change that may be one of many; cheap and safe to call from any thread, as often as changes happen. */
    public synchronized void signal() {
        long now = clock.getAsLong();
        lastSignalMillis = now;
        scheduleAfterCalm(now);
    }

    /** Signals a change that should not wait for calm: it runs at once when nothing else is going on. */
    public synchronized void signalPromptly() {
        long now = clock.getAsLong();
        boolean calm = now - lastSignalMillis >= quietMillis;
        lastSignalMillis = now;
        if (pending == null && !running && calm) {
            burstStartMillis = now;
            schedule(0, true);
        } else {
            scheduleAfterCalm(now);
        }
    }

    private void scheduleAfterCalm(long now) {
        if (pending != null && pendingRunsAtOnce) {
            return; // that run has not started yet, so it sees this change too
        }
        if (pending == null || !pending.cancel(false)) {
            burstStartMillis = now;
        }
        long runAt = Math.min(now + quietMillis, burstStartMillis + maxDelayMillis);
        schedule(Math.max(0, runAt - now), false);
    }

    private void schedule(long delayMillis, boolean atOnce) {
        pendingRunsAtOnce = atOnce;
        pending = executor.schedule(this::runTask, delayMillis, TimeUnit.MILLISECONDS);
    }

    private void runTask() {
        synchronized (this) {
            pending = null;
            running = true;
        }
        try {
            task.run();
        } finally {
            synchronized (this) {
                running = false;
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
