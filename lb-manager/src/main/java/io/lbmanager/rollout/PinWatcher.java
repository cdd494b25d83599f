package io.lbmanager.rollout;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheBridge;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;

/**
 * Tells the pipeline when a group is pinned or unpinned from any manager, so the leader renders
 * the changes that waited. Watches the groups' runtime subtree without caching its data.
 */
public final class PinWatcher implements Managed {

    private final CuratorCacheBridge cache;

    public PinWatcher(CuratorFramework client, ZkLayout layout, Runnable onChange) {
        this.cache = CuratorCache.bridgeBuilder(client, layout.groups()).withDataNotCached().build();
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((oldNode, node) -> {
                    if (node.getPath().endsWith("/pin")) {
                        onChange.run();
                    }
                })
                .forDeletes(node -> {
                    if (node.getPath().endsWith("/pin")) {
                        onChange.run();
                    }
                })
                .build());
    }

    @Override
    public void start() {
        cache.start();
    }

    @Override
    public void stop() {
        cache.close();
    }
}
