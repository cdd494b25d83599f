package io.lbmanager.agent;

import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.contract.VersionNodes;
import io.lbmanager.signing.VersionSignature;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.TreeWatch;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

import java.util.Optional;

/** The group's published target and its version bundles, as the agent reads them from ZooKeeper. */
final class GroupTarget implements AutoCloseable {

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final String group;
    private TreeWatch watch;

    GroupTarget(CuratorFramework client, ZkLayout layout, String group) {
        this.client = client;
        this.layout = layout;
        this.group = group;
    }

    /** Calls {@code onChange} whenever the target node is created, changed or deleted. */
    void watch(Runnable onChange) {
        watch = TreeWatch.node(client, layout.groupTarget(group), TreeWatch.Events.onAnyChange(onChange)).start();
    }

    /** The current target, read fresh from ZooKeeper; empty while nothing was published. */
    Optional<PublishedVersion> read() throws Exception {
        String path = layout.groupTarget(group);
        try {
            return Optional.of(Json.read(path, client.getData().forPath(path), PublishedVersion.class));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    /** A published version's bytes exactly as stored (joined from its chunks, if any): what its signature covers. */
    byte[] readVersionNode(long version) throws Exception {
        return new VersionNodes(client).read(layout.groupVersion(group, version));
    }

    /** The manager's signature of a version; null when it has none. */
    VersionSignature readSignature(long version) throws Exception {
        String path = layout.groupSignature(group, version);
        try {
            return Json.read(path, client.getData().forPath(path), VersionSignature.class);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    String versionPath(long version) {
        return layout.groupVersion(group, version);
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
    }
}
