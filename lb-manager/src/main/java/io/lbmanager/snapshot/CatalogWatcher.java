package io.lbmanager.snapshot;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Watches the catalog subtree ({@code {root}/catalog}) and keeps the last good value of every
 * service. A node that stops parsing keeps its last good value and is reported, so a hand edit
 * gone wrong never drops a live service.
 */
public final class CatalogWatcher implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogWatcher.class);

    private final ZkLayout layout;
    private final CuratorCache cache;
    private final BiFunction<String, byte[], ServiceRecord> parser;
    private final Map<String, ServiceRecord> services = new ConcurrentHashMap<>();
    private final Map<String, Boolean> groups = new ConcurrentHashMap<>();
    private final Map<String, String> corrupt = new ConcurrentHashMap<>();
    private final CountDownLatch initialized = new CountDownLatch(1);

    /** @param parser reads and checks a service node; throws {@link CorruptNodeException} on bad content */
    public CatalogWatcher(CuratorFramework client, ZkLayout layout, BiFunction<String, byte[], ServiceRecord> parser, Runnable onChange) {
        this.layout = layout;
        this.parser = parser;
        this.cache = CuratorCache.build(client, layout.root() + "/catalog");
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((oldNode, node) -> {
                    if (accept(node) && initialized.getCount() == 0) {
                        onChange.run();
                    }
                })
                .forDeletes(node -> {
                    if (forget(node) && initialized.getCount() == 0) {
                        onChange.run();
                    }
                })
                .forInitialized(() -> {
                    initialized.countDown();
                    LOG.info("catalog watch initialized services={} groups={} corrupt={}", services.size(), groups.size(), corrupt.size());
                    onChange.run();
                })
                .build());
    }

    public static CatalogWatcher withJsonParser(CuratorFramework client, ZkLayout layout, Runnable onChange) {
        return new CatalogWatcher(client, layout, (path, bytes) -> Json.read(path, bytes, ServiceRecord.class), onChange);
    }

    @Override
    public void start() {
        cache.start();
    }

    @Override
    public void stop() {
        cache.close();
    }

    /** True once the first full read of the subtree is done; before that the view is partial. */
    public boolean isInitialized() {
        return initialized.getCount() == 0;
    }

    public boolean awaitInitialized(long timeout, TimeUnit unit) throws InterruptedException {
        return initialized.await(timeout, unit);
    }

    public SortedMap<String, ServiceRecord> services() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(services));
    }

    public SortedSet<String> groups() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(groups.keySet()));
    }

    /** Service nodes whose current content was refused (their last good value is still used), by path. */
    public SortedMap<String, String> corruptNodes() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(corrupt));
    }

    private boolean accept(ChildData node) {
        String path = node.getPath();
        String groupName = childOf(layout.catalogGroups(), path);
        if (groupName != null) {
            return groups.put(groupName, Boolean.TRUE) == null;
        }
        String serviceId = childOf(layout.services(), path);
        if (serviceId == null) {
            return false;
        }
        try {
            ServiceRecord record = parser.apply(path, node.getData());
            if (!record.id().equals(serviceId)) {
                throw new CorruptNodeException(path, "id \"" + record.id() + "\" does not match the node name");
            }
            corrupt.remove(path);
            return !record.equals(services.put(serviceId, record));
        } catch (CorruptNodeException e) {
            if (!e.getMessage().equals(corrupt.put(path, e.getMessage()))) {
                LOG.warn("catalog node refused, keeping its last good value: {}", e.getMessage());
            }
            return false;
        }
    }

    private boolean forget(ChildData node) {
        String path = node.getPath();
        String groupName = childOf(layout.catalogGroups(), path);
        if (groupName != null) {
            return groups.remove(groupName) != null;
        }
        String serviceId = childOf(layout.services(), path);
        if (serviceId == null) {
            return false;
        }
        corrupt.remove(path);
        return services.remove(serviceId) != null;
    }

    private static String childOf(String parent, String path) {
        if (!path.startsWith(parent + "/")) {
            return null;
        }
        String rest = path.substring(parent.length() + 1);
        return rest.isEmpty() || rest.contains("/") ? null : rest;
    }
}
