package io.lbmanager.routes;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps the newest table an agent pushed in its {@link RoutesFile} without holding up the push: a
 * table handed over is written on a thread of its own; while one write is in flight, further
 * tables wait in one slot where the newest replaces the others. The file may lag a version or two
 * for a moment (it is read only at a start without ZooKeeper); {@link #close()} writes what still waits.
 */
final class RoutesFileWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RoutesFileWriter.class);
    private static final long CLOSE_WAIT_SECONDS = 10;

    private record Pending(long version, RoutingTable table) {
    }

    private final RoutesFile file;
    private final String label;
    private final AtomicReference<Pending> newest = new AtomicReference<>();
    private final ExecutorService writer;

    RoutesFileWriter(RoutesFile file, String label) {
        this.file = file;
        this.label = label;
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "routes-file-" + label);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Writes {@code table} soon, unless a newer one comes first. */
    void keep(long version, RoutingTable table) {
        if (newest.getAndSet(new Pending(version, table)) != null) {
            return;
        }
        try {
            writer.execute(this::writeNewest);
        } catch (RejectedExecutionException closed) {
            LOG.warn("agent {} routes version {} is not kept on disk: the agent is closing", label, version);
        }
    }

    private void writeNewest() {
        Pending pending = newest.getAndSet(null);
        if (pending == null) {
            return;
        }
        try {
            file.write(pending.version(), pending.table());
        } catch (IOException | RuntimeException e) {
            LOG.warn("agent {} cannot keep routes version {} on disk: {}", label, pending.version(), e.toString());
        }
    }

    /** Waits for the write in flight and writes the table still waiting, if any. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                Pending pending = newest.get();
                LOG.warn("agent {} routes file: a write still runs after {} s at close; routes version {} may not be on disk", label,
                        CLOSE_WAIT_SECONDS, pending == null ? "in that write" : String.valueOf(pending.version()));
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeNewest();
    }
}
