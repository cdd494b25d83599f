package io.lbmanager.zk;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.cache.CuratorCacheStorage;

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
    }

    private final CuratorCache cache;
    private final CountDownLatch initialized = new CountDownLatch(1);

    private TreeWatch(CuratorCache cache, Events events) {
        this.cache = cache;
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, node) -> events.nodeChanged(node))
                .forDeletes(events::nodeDeleted)
                .forInitialized(() -> {
                    initialized.countDown();
                    events.initialized();
                })
                .build());
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
        cache.start();
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
