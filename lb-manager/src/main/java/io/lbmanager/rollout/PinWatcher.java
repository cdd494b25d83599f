package io.lbmanager.rollout;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.zk.TreeWatch;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;

/**
 * Asks for a render when a group is pinned or unpinned from any manager, so the leader renders
 * the changes that waited. Watches the groups' runtime subtree without keeping its data.
 */
public final class PinWatcher implements Managed, TreeWatch.Events {

    private final RenderRequests renders;
    private final TreeWatch watch;

    public PinWatcher(CuratorFramework client, ZkLayout layout, RenderRequests renders) {
        this.renders = renders;
        this.watch = TreeWatch.subtreeWithoutData(client, layout.groups(), this);
    }

    @Override
    public void nodeChanged(ChildData node) {
        if (node.getPath().endsWith("/pin")) {
            renders.renderSoon("pinned " + node.getPath());
        }
    }

    @Override
    public void nodeDeleted(ChildData node) {
        if (node.getPath().endsWith("/pin")) {
            renders.renderSoon("unpinned " + node.getPath());
        }
    }

    @Override
    public void start() {
        watch.start();
    }

    @Override
    public void stop() {
        watch.close();
    }
}
