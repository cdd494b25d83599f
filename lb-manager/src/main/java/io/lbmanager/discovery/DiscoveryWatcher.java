package io.lbmanager.discovery;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.catalog.InputRules;
import io.lbmanager.snapshot.DiscoveredInstance;
import io.lbmanager.snapshot.DiscoveryFeed;
import io.lbmanager.zk.TreeWatch;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One recursive watch of the x-discovery base path ({@code {basePath}/{name}/{instanceId}}).
 * Each node is read as JSON without knowing the registrant's payload class, checked, and handed
 * to the {@link DiscoveryFeed} as a {@link DiscoveredInstance}, or refused with the reason.
 */
public final class DiscoveryWatcher implements Managed, TreeWatch.Events {

    private static final Logger LOG = LoggerFactory.getLogger(DiscoveryWatcher.class);

    private final String basePath;
    private final DiscoveryFeed feed;
    private final TreeWatch watch;
    /** The reason each refused node was refused, so a node refused again for the same reason is logged once. */
    private final Map<String, String> refused = new ConcurrentHashMap<>();

    public DiscoveryWatcher(CuratorFramework client, String basePath, DiscoveryFeed feed) {
        this.basePath = basePath;
        this.feed = feed;
        this.watch = TreeWatch.subtreeWithoutData(client, basePath, this);
    }

    @Override
    public void start() {
        watch.start();
    }

    @Override
    public void stop() {
        watch.close();
    }

    @Override
    public void initialized() {
        LOG.info("discovery watch initialized base={}", basePath);
        feed.discoveryRead();
    }

    @Override
    public void nodeChanged(ChildData node) {
        String[] parts = relativeParts(node.getPath());
        if (parts.length != 2) {
            return;
        }
        String path = node.getPath();
        try {
            if (!InputRules.DISCOVERY_NAME.matcher(parts[0]).matches()) {
                throw new MalformedInstanceException(path, "service name \"" + parts[0] + "\" is not [A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
            }
            DiscoveredInstance instance = InstanceParser.parse(parts[0], path, node.getData());
            refused.remove(path);
            LOG.info("discovery instance name={} id={} upstream={}:{} weight={} enabled={}",
                    instance.name(), instance.id(), instance.address(), instance.port(), instance.weight(), instance.enabled());
            feed.instanceChanged(path, instance);
        } catch (MalformedInstanceException e) {
            if (!e.getMessage().equals(refused.put(path, e.getMessage()))) {
                LOG.warn("discovery instance refused: {}", e.getMessage());
            }
            feed.discoveryNodeRefused(path, e.getMessage());
        }
    }

    @Override
    public void nodeDeleted(ChildData node) {
        if (relativeParts(node.getPath()).length != 2) {
            return;
        }
        refused.remove(node.getPath());
        LOG.info("discovery instance gone path={}", node.getPath());
        feed.instanceRemoved(node.getPath());
    }

    private String[] relativeParts(String path) {
        if (!path.startsWith(basePath + "/")) {
            return new String[0];
        }
        return path.substring(basePath.length() + 1).split("/");
    }
}
