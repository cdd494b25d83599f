package io.lbmanager.zk;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Follows the children of one node (nothing deeper) with one persistent recursive watch, reading
 * each child once: at 50,000 children, 50,001 reads where Curator's {@code CuratorCache} makes
 * two per child (it also lists every child's children) and keeps every node's data. After the
 * watch is set, and again whenever ZooKeeper resets it (a reconnection: events may have been
 * missed), every child is listed and read; a child whose modification zxid is the one reported
 * last is not reported again, and a child gone since is reported deleted. Events arrive on a
 * thread of the watch's own, in the order ZooKeeper answered (ZooKeeper's event thread, which every
 * other watch of the client needs too, only keeps the books).
 */
final class ChildrenWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChildrenWatch.class);

    private final CuratorFramework client;
    private final String path;
    private final TreeWatch.Events events;
    private final PersistentWatcher watcher;
    /** Child name to the modification zxid of the data reported last. */
    private final Map<String, Long> reported = new ConcurrentHashMap<>();
    private final AtomicBoolean initialized = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ExecutorService notifier;

    ChildrenWatch(CuratorFramework client, String path, TreeWatch.Events events) {
        this.client = client;
        this.path = path;
        this.events = events;
        this.watcher = new PersistentWatcher(client, path, true);
        this.notifier = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "children-watch-" + path);
            thread.setDaemon(true);
            return thread;
        });
        watcher.getListenable().addListener(this::onEvent);
        watcher.getResetListenable().addListener(this::readAll);
    }

    void start() {
        watcher.start();
    }

    private void onEvent(WatchedEvent event) {
        String child = childOf(event.getPath());
        if (child == null || closed.get()) {
            return;
        }
        if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
            deleted(child);
        } else if (event.getType() == Watcher.Event.EventType.NodeCreated || event.getType() == Watcher.Event.EventType.NodeDataChanged) {
            read(child, null);
        }
    }

    /** Lists the children and reads each; reports deleted the ones reported before and not listed now. */
    private void readAll() {
        try {
            client.getChildren().inBackground((c, event) -> listed(event)).forPath(path);
        } catch (Exception e) {
            LOG.warn("cannot list {}: {}", path, e.toString());
        }
    }

    private void listed(CuratorEvent event) {
        if (closed.get()) {
            return;
        }
        List<String> children = event.getResultCode() == KeeperException.Code.OK.intValue() ? event.getChildren() : List.of();
        if (event.getResultCode() != KeeperException.Code.OK.intValue() && event.getResultCode() != KeeperException.Code.NONODE.intValue()) {
            LOG.warn("cannot list {}: {}; listing again at the next reconnection", path, KeeperException.Code.get(event.getResultCode()));
            return;
        }
        Set<String> gone = new HashSet<>(reported.keySet());
        gone.removeAll(children);
        gone.forEach(this::deleted);
        AtomicInteger pending = new AtomicInteger(children.size() + 1);
        Runnable oneDone = () -> {
            if (pending.decrementAndGet() == 0 && initialized.compareAndSet(false, true)) {
                report(events::initialized);
            }
        };
        for (String child : children) {
            read(child, oneDone);
        }
        oneDone.run();
    }

    /** Reads one child and reports it, unless its data is the data reported last; then runs {@code done} (if any). */
    private void read(String child, Runnable done) {
        String childPath = path + "/" + child;
        try {
            client.getData().inBackground((c, event) -> {
                try {
                    if (event.getResultCode() == KeeperException.Code.OK.intValue()) {
                        changed(child, event.getStat(), event.getData());
                    } else if (event.getResultCode() == KeeperException.Code.NONODE.intValue()) {
                        deleted(child);
                    } else {
                        LOG.warn("cannot read {}: {}", childPath, KeeperException.Code.get(event.getResultCode()));
                    }
                } finally {
                    if (done != null) {
                        done.run();
                    }
                }
            }).forPath(childPath);
        } catch (Exception e) {
            LOG.warn("cannot read {}: {}", childPath, e.toString());
            if (done != null) {
                done.run();
            }
        }
    }

    private void changed(String child, Stat stat, byte[] data) {
        if (closed.get()) {
            return;
        }
        Long before = reported.put(child, stat.getMzxid());
        if (before == null || before != stat.getMzxid()) {
            ChildData node = new ChildData(path + "/" + child, stat, data);
            report(() -> events.nodeChanged(node));
        }
    }

    private void deleted(String child) {
        if (!closed.get() && reported.remove(child) != null) {
            ChildData node = new ChildData(path + "/" + child, null, null);
            report(() -> events.nodeDeleted(node));
        }
    }

    private void report(Runnable event) {
        try {
            notifier.execute(() -> {
                if (closed.get()) {
                    return;
                }
                try {
                    event.run();
                } catch (RuntimeException e) {
                    LOG.warn("a listener of {} failed: {}", path, e.toString());
                }
            });
        } catch (RejectedExecutionException closing) {
            // closed meanwhile: nobody listens any more
        }
    }

    private String childOf(String eventPath) {
        if (eventPath == null || !eventPath.startsWith(path + "/")) {
            return null;
        }
        String child = eventPath.substring(path.length() + 1);
        return child.contains("/") ? null : child;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            watcher.close();
            notifier.shutdownNow();
        }
    }
}
