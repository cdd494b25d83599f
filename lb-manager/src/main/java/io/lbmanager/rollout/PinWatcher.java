package io.lbmanager.rollout;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.zk.TreeWatch;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;

/**
 * Asks for a render when a group is pinned or unpinned from any manager, so the leader renders
 * the changes that waited. Watches the groups' runtime nodes two levels deep ({@code groups/{group}/pin}),
 * never the versions, peer lists or agents below them.
 */
public final class PinWatcher implements Managed, TreeWatch.Events {

    private final RenderRequests renders;
    private final ZkLayout layout;
    private final TreeWatch watch;

    public PinWatcher(CuratorFramework client, ZkLayout layout, RenderRequests renders) {
        this.renders = renders;
        this.layout = layout;
        this.watch = TreeWatch.levels(client, layout.groups(), 2, this);
    }

    @Override
    public void nodeChanged(ChildData node) {
        if (isPin(node.getPath())) {
            renders.renderSoon("pinned " + node.getPath());
        }
    }

    @Override
    public void nodeDeleted(ChildData node) {
        if (isPin(node.getPath())) {
            renders.renderSoon("unpinned " + node.getPath());
        }
    }

    private boolean isPin(String path) {
        String group = path.startsWith(layout.groups() + "/") ? path.substring(layout.groups().length() + 1) : "";
        return group.endsWith("/pin") && layout.groupPin(group.substring(0, group.length() - "/pin".length())).equals(path);
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
