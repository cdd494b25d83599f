package io.lbmanager.peers;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Keeps the newest of what an agent hands over on disk without holding up the thread that hands it
 * over (the one pushing into Nginx): a value is written on a thread of its own, at most once per
 * {@code gap} (a write is a pass over the whole table or every peer list: 50,000 of them per change
 * during a burst would take a core); meanwhile values wait in one slot where the newest replaces the
 * others. The file may lag by about {@code gap} (it is read only at a start without ZooKeeper);
 * {@link #close()} writes what still waits.
 */
public final class NewestOnDisk<T> implements AutoCloseable {

    /** Writes one value to its file, replacing the one before. */
    public interface Write<T> {
        void write(T value) throws IOException;
    }

    /** How long an agent's disk copies may lag what its Nginx holds. */
    public static final Duration AGENT_GAP = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(NewestOnDisk.class);
    private static final long CLOSE_WAIT_SECONDS = 10;

    private final Write<T> write;
    private final Function<T, String> describe;
    private final String label;
    private final long gapNanos;
    private final AtomicReference<T> newest = new AtomicReference<>();
    private final ScheduledThreadPoolExecutor writer;
    private volatile long lastWriteStart;

    /** {@code describe} names a value in the log line of a write that failed ("routes version 7"). */
    public NewestOnDisk(String threadName, String label, Duration gap, Write<T> write, Function<T, String> describe) {
        this.write = write;
        this.describe = describe;
        this.label = label;
        this.gapNanos = gap.toNanos();
        this.lastWriteStart = System.nanoTime() - gapNanos;
        this.writer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, threadName);
            thread.setDaemon(true);
            return thread;
        });
        writer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // close() writes what waits itself
    }

    /** Writes {@code value} soon, unless a newer one comes first. */
    public void keep(T value) {
        if (newest.getAndSet(value) != null) {
            return;
        }
        long wait = Math.max(0, lastWriteStart + gapNanos - System.nanoTime());
        try {
            writer.schedule(this::writeNewest, wait, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            LOG.warn("agent {} {} is not kept on disk: the agent is closing", label, describe.apply(value));
        }
    }

    private synchronized void writeNewest() {
        T value = newest.getAndSet(null);
        if (value == null) {
            return;
        }
        lastWriteStart = System.nanoTime();
        try {
            write.write(value);
        } catch (IOException | RuntimeException e) {
            LOG.warn("agent {} cannot keep {} on disk: {}", label, describe.apply(value), e.toString());
        }
    }

    /** Waits for the write in flight and writes the value still waiting, if any. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                T waiting = newest.get();
                LOG.warn("agent {}: a write to disk still runs after {} s at close; {} may not be on disk", label,
                        CLOSE_WAIT_SECONDS, waiting == null ? "what it writes" : describe.apply(waiting));
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeNewest();
    }
}
