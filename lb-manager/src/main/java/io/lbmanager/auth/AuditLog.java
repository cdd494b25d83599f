package io.lbmanager.auth;

import io.lbmanager.errors.StoreUnavailableException;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The audit trail in ZooKeeper: sequential nodes under {@link ZkLayout#audit}, the newest
 * {@code maxEntries} kept. Requests only queue their entry; one thread writes queued entries in
 * batches and prunes the oldest.
 */
public final class AuditLog implements AutoCloseable {

    static final int BATCH = 100;
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

    private final CuratorFramework curator;
    private final ZkLayout layout;
    private final int maxEntries;
    private final LinkedBlockingQueue<AuditEntry> queue = new LinkedBlockingQueue<>(10_000);
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;
    private int writtenSincePrune = Integer.MAX_VALUE / 2;

    public AuditLog(CuratorFramework curator, ZkLayout layout, int maxEntries) {
        this.curator = curator;
        this.layout = layout;
        this.maxEntries = maxEntries;
        this.writer = new Thread(this::writeQueued, "audit-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Queues an entry; never blocks the request. An entry that does not fit the queue is logged and dropped. */
    public void record(AuditEntry entry) {
        if (queue.offer(entry)) {
            queued.incrementAndGet();
        } else {
            LOG.error("audit queue full, entry not stored: {} {} status={}", entry.method(), entry.path(), entry.status());
        }
    }

    /** Waits (at most {@code timeoutMillis}) until what was queued before this call is in ZooKeeper. */
    public void awaitWritten(long timeoutMillis) throws InterruptedException {
        long target = queued.get();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (written.get() < target && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    /** Newest first, at most {@code limit} entries that pass the filter, from the entries kept. */
    public List<AuditEntry> newest(Predicate<AuditEntry> filter, int limit) {
        List<AuditEntry> found = new ArrayList<>();
        try {
            if (curator.checkExists().forPath(layout.audit()) == null) {
                return found;
            }
            List<String> names = new ArrayList<>(curator.getChildren().forPath(layout.audit()));
            names.sort(Comparator.reverseOrder());
            for (String name : names) {
                String path = layout.audit() + "/" + name;
                byte[] bytes;
                try {
                    bytes = curator.getData().forPath(path);
                } catch (KeeperException.NoNodeException e) {
                    continue; // pruned since listed
                }
                AuditEntry entry = Json.read(path, bytes, AuditEntry.class);
                if (filter.test(entry)) {
                    found.add(entry);
                    if (found.size() >= limit) {
                        break;
                    }
                }
            }
            return found;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreUnavailableException("audit log", e);
        }
    }

    private void writeQueued() {
        while (!closed) {
            try {
                AuditEntry first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                List<AuditEntry> batch = new ArrayList<>(List.of(first));
                queue.drainTo(batch, BATCH - 1);
                try {
                    store(batch);
                } finally {
                    written.addAndGet(batch.size());
                }
                writtenSincePrune += batch.size();
                if (writtenSincePrune >= BATCH) {
                    prune();
                    writtenSincePrune = 0;
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.error("audit entries not stored: {}", e.toString());
            }
        }
    }

    private void store(List<AuditEntry> batch) throws Exception {
        if (curator.checkExists().forPath(layout.audit()) == null) {
            try {
                curator.create().creatingParentsIfNeeded().forPath(layout.audit());
            } catch (KeeperException.NodeExistsException e) {
                // another manager made it
            }
        }
        List<CuratorOp> ops = new ArrayList<>();
        for (AuditEntry entry : batch) {
            ops.add(curator.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                    .forPath(layout.auditEntryPrefix(), Json.write(entry)));
        }
        curator.transaction().forOperations(ops);
    }

    private void prune() throws Exception {
        List<String> names = new ArrayList<>(curator.getChildren().forPath(layout.audit()));
        if (names.size() <= maxEntries) {
            return;
        }
        names.sort(Comparator.naturalOrder());
        for (String name : names.subList(0, names.size() - maxEntries)) {
            try {
                curator.delete().forPath(layout.audit() + "/" + name);
            } catch (KeeperException.NoNodeException e) {
                // another manager pruned it
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!queue.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        closed = true;
        writer.interrupt();
        writer.join(2000);
    }
}
