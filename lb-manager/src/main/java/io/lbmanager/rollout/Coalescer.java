package io.lbmanager.rollout;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Turns a burst of change signals into one run of a task: the task runs once the signals have
 * been quiet for {@code quietMillis}, and never later than {@code maxDelayMillis} after the first
 * signal of the burst. Runs never overlap; a signal during a run schedules one more run.
 */
public final class Coalescer implements AutoCloseable {

    private final Runnable task;
    private final long quietMillis;
    private final long maxDelayMillis;
    private final LongSupplier clock;
    private final ScheduledExecutorService executor;
    private ScheduledFuture<?> pending;
    private long burstStartMillis;

    public Coalescer(String name, Runnable task, long quietMillis, long maxDelayMillis) {
        this.task = task;
        this.quietMillis = quietMillis;
        this.maxDelayMillis = Math.max(maxDelayMillis, quietMillis);
        this.clock = System::currentTimeMillis;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Signals a change; cheap and safe to call from any thread, as often as changes happen. */
    public synchronized void signal() {
        long now = clock.getAsLong();
        if (pending == null) {
            burstStartMillis = now;
        } else if (!pending.cancel(false)) {
            burstStartMillis = now;
        }
        long runAt = Math.min(now + quietMillis, burstStartMillis + maxDelayMillis);
        pending = executor.schedule(this::runTask, Math.max(0, runAt - now), TimeUnit.MILLISECONDS);
    }

    private void runTask() {
        synchronized (this) {
            pending = null;
        }
        task.run();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
