package io.lbmanager.zk;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.cache.CuratorCacheStorage;
import org.apache.curator.framework.recipes.cache.TreeCache;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A watch of one ZooKeeper node or subtree (Curator's {@link CuratorCache}) with the life cycle
 * every watcher here shares: build, start, know when the first full read is done, close.
 * What happens on an event is the owner's, through {@link Events}.
 */
public final class TreeWatch implements AutoCloseable {

    /** What a watch reports, on Curator's event thread. */
    public interface Events {
        default void nodeChanged(ChildData node) {
        }

        default void nodeDeleted(ChildData node) {
        }

        /** The first full read is done: every node that existed then was reported before this. */
        default void initialized() {
        }

        /** Runs {@code action} whenever a node is created, changed or deleted. */
        static Events onAnyChange(Runnable action) {
            return new Events() {
                @Override
                public void nodeChanged(ChildData node) {
                    action.run();
                }

                @Override
                public void nodeDeleted(ChildData node) {
                    action.run();
                }
            };
        }
    }

    /** What is started and closed: a {@link CuratorCache}, or a depth-limited {@link TreeCache}. */
    private interface Cache extends AutoCloseable {
        void start() throws Exception;

        @Override
        void close();
    }

    private final Cache cache;
    private final CountDownLatch initialized = new CountDownLatch(1);

    private TreeWatch(CuratorCache cache, Events events) {
        this.cache = new Cache() {
            @Override
            public void start() {
                cache.start();
            }

            @Override
            public void close() {
                cache.close();
            }
        };
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, node) -> events.nodeChanged(node))
                .forDeletes(events::nodeDeleted)
                .forInitialized(() -> {
                    initialized.countDown();
                    events.initialized();
                })
                .build());
    }

    private TreeWatch(TreeCache cache, Events events) {
        this.cache = new Cache() {
            @Override
            public void start() throws Exception {
                cache.start();
            }

            @Override
            public void close() {
                cache.close();
            }
        };
        cache.getListenable().addListener((client, event) -> {
            switch (event.getType()) {
                case NODE_ADDED, NODE_UPDATED -> events.nodeChanged(event.getData());
                case NODE_REMOVED -> events.nodeDeleted(event.getData());
                case INITIALIZED -> {
                    initialized.countDown();
                    events.initialized();
                }
                default -> {
                    // connection state: Curator reconnects and resyncs by itself
                }
            }
        });
    }

    /**
     * {@code path} and its descendants down to {@code maxDepth} levels (1: its children only), no
     * data kept: nothing deeper is listed or read, so a watch of a few named nodes per group never
     * lists a group's 50,000 peer lists (ZooKeeper refuses a listing past 1 MB).
     */
    public static TreeWatch levels(CuratorFramework client, String path, int maxDepth, Events events) {
        return new TreeWatch(TreeCache.newBuilder(client, path).setMaxDepth(maxDepth).setCacheData(false).build(), events);
    }

    /** Every node below {@code path}, and {@code path} itself. */
    public static TreeWatch subtree(CuratorFramework client, String path, Events events) {
        return new TreeWatch(CuratorCache.build(client, path), events);
    }

    /** Every node below {@code path}, with no data kept in memory (events still carry it). */
    public static TreeWatch subtreeWithoutData(CuratorFramework client, String path, Events events) {
        return new TreeWatch(CuratorCache.builder(client, path).withStorage(CuratorCacheStorage.dataNotCached()).build(), events);
    }

    /** {@code path} alone. */
    public static TreeWatch node(CuratorFramework client, String path, Events events) {
        return new TreeWatch(CuratorCache.build(client, path, CuratorCache.Options.SINGLE_NODE_CACHE), events);
    }

    public TreeWatch start() {
        try {
            cache.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the watch: " + e.getMessage(), e);
        }
        return this;
    }

    public boolean isInitialized() {
        return initialized.getCount() == 0;
    }

    public boolean awaitInitialized(long timeout, TimeUnit unit) throws InterruptedException {
        return initialized.await(timeout, unit);
    }

    @Override
    public void close() {
        cache.close();
    }
}
