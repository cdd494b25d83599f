package io.lbmanager.snapshot;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.zk.TreeWatch;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.zk.ZkNodes;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operator's release of the discovery holds, through ZooKeeper, so that it reaches every
 * manager's guard whichever manager the request came to: {@link #release} writes the release
 * node, and each manager's watch of that node releases its own guard.
 */
public final class HoldReleases implements Managed, TreeWatch.Events {

    private static final Logger LOG = LoggerFactory.getLogger(HoldReleases.class);

    /** What the release node holds. */
    public record Release(String by, long atMillis) {
    }

    private final ZkNodes nodes;
    private final String path;
    private final SnapshotSource source;
    private final TreeWatch watch;

    public HoldReleases(CuratorFramework client, ZkLayout layout, SnapshotSource source) {
        this.nodes = new ZkNodes(client);
        this.path = layout.discoveryHoldRelease();
        this.source = source;
        this.watch = TreeWatch.node(client, path, this);
    }

    /** Releases every manager's holds: what discovery shows now is routed as it is. */
    public void release(String by) {
        nodes.writeJson(path, new Release(by, System.currentTimeMillis()));
    }

    @Override
    public void nodeChanged(ChildData node) {
        if (watch.isInitialized()) {
            LOG.info("discovery holds released path={}", node.getPath());
            source.releaseHolds();
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
