package io.lbmanager.snapshot;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.TreeWatch;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BiFunction;

/**
 * Watches the catalog's services and groups (not the base-path locks: one group's locks can
 * outgrow a ZooKeeper listing) and tells the {@link SnapshotSource} of
 * every service and group that appears, changes or goes. A service node that stops parsing is
 * reported and keeps its last good value, so a hand edit gone wrong never drops a live service.
 */
public final class CatalogWatcher implements Managed, TreeWatch.Events {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogWatcher.class);

    private final ZkLayout layout;
    private final BiFunction<String, byte[], ServiceRecord> parser;
    private final SnapshotSource source;
    private final TreeWatch services;
    private final TreeWatch groups;
    private final java.util.concurrent.atomic.AtomicInteger initializing = new java.util.concurrent.atomic.AtomicInteger(2);

    /** @param parser reads and checks a service node; throws {@link CorruptNodeException} on bad content */
    public CatalogWatcher(CuratorFramework client, ZkLayout layout, BiFunction<String, byte[], ServiceRecord> parser,
                          SnapshotSource source) {
        this.layout = layout;
        this.parser = parser;
        this.source = source;
        this.services = TreeWatch.subtreeWithoutData(client, layout.services(), this);
        this.groups = TreeWatch.subtree(client, layout.catalogGroups(), this);
    }

    @Override
    public void start() {
        services.start();
        groups.start();
    }

    @Override
    public void stop() {
        services.close();
        groups.close();
    }

    @Override
    public void nodeChanged(ChildData node) {
        String path = node.getPath();
        String group = ZkLayout.childName(layout.catalogGroups(), path);
        if (group != null) {
            source.groupAdded(group);
            return;
        }
        String serviceId = serviceIdOf(path);
        if (serviceId == null) {
            return;
        }
        try {
            ServiceRecord record = parser.apply(path, node.getData());
            if (!record.id().equals(serviceId)) {
                throw new CorruptNodeException(path, "id \"" + record.id() + "\" does not match the node name");
            }
            source.serviceChanged(serviceId, record, path);
        } catch (CorruptNodeException e) {
            if (source.catalogNodeRefused(path, e.getMessage())) {
                LOG.warn("catalog node refused, keeping its last good value: {}", e.getMessage());
            }
        }
    }

    @Override
    public void nodeDeleted(ChildData node) {
        String path = node.getPath();
        String group = ZkLayout.childName(layout.catalogGroups(), path);
        if (group != null) {
            source.groupRemoved(group);
            return;
        }
        String serviceId = serviceIdOf(path);
        if (serviceId != null) {
            source.serviceRemoved(serviceId, path);
        }
    }

    @Override
    public void initialized() {
        if (initializing.decrementAndGet() == 0) {
            source.catalogRead();
        }
    }

    /** The id of a service node, in its bucket or flat (as stored before buckets); null for buckets and other nodes. */
    private String serviceIdOf(String path) {
        String flat = ZkLayout.childName(layout.services(), path);
        if (flat != null) {
            return ZkLayout.isServiceBucket(flat) ? null : flat;
        }
        int slash = path.lastIndexOf('/');
        String bucket = slash > 0 ? ZkLayout.childName(layout.services(), path.substring(0, slash)) : null;
        return bucket != null && ZkLayout.isServiceBucket(bucket) ? ZkLayout.childName(layout.services() + "/" + bucket, path) : null;
    }
}
