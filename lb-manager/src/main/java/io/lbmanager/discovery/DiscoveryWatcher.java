package io.lbmanager.discovery;

import io.lbmanager.snapshot.DiscoveredInstance;
import io.dropwizard.lifecycle.Managed;
import io.lbmanager.catalog.InputRules;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One recursive watch of the x-discovery base path ({@code {basePath}/{name}/{instanceId}}).
 * It keeps the parsed instances and the nodes it refused, and tells a listener that something
 * changed; readers always take a full, consistent view with {@link #instances()}.
 */
public final class DiscoveryWatcher implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(DiscoveryWatcher.class);

    private final String basePath;
    private final CuratorCache cache;
    private final Runnable onChange;
    private final Map<String, DiscoveredInstance> byPath = new ConcurrentHashMap<>();
    private final Map<String, String> malformed = new ConcurrentHashMap<>();
    private final CountDownLatch initialized = new CountDownLatch(1);

    public DiscoveryWatcher(CuratorFramework client, String basePath, Runnable onChange) {
        this.basePath = basePath;
        this.cache = CuratorCache.build(client, basePath);
        this.onChange = onChange;
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((oldNode, node) -> accept(node))
                .forDeletes(this::forget)
                .forInitialized(() -> {
                    initialized.countDown();
                    LOG.info("discovery watch initialized base={} instances={} malformed={}", basePath, byPath.size(), malformed.size());
                    onChange.run();
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

    /** True once the first full read of the subtree is done; before that the view is partial. */
    public boolean isInitialized() {
        return initialized.getCount() == 0;
    }

    public boolean awaitInitialized(long timeout, TimeUnit unit) throws InterruptedException {
        return initialized.await(timeout, unit);
    }

    /** Every routable instance, by discovery name, in a stable order. */
    public SortedMap<String, List<DiscoveredInstance>> instances() {
        TreeMap<String, List<DiscoveredInstance>> byName = new TreeMap<>();
        for (DiscoveredInstance instance : byPath.values()) {
            byName.computeIfAbsent(instance.name(), n -> new ArrayList<>()).add(instance);
        }
        Comparator<DiscoveredInstance> order = Comparator.comparing(DiscoveredInstance::address)
                .thenComparingInt(DiscoveredInstance::port).thenComparing(DiscoveredInstance::id);
        byName.replaceAll((name, list) -> list.stream().sorted(order).toList());
        return Collections.unmodifiableSortedMap(byName);
    }

    /** Nodes that were refused, by path, with the reason. */
    public SortedMap<String, String> malformedNodes() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(malformed));
    }

    private void accept(ChildData node) {
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
            DiscoveredInstance previous = byPath.put(path, instance);
            malformed.remove(path);
            if (!instance.equals(previous)) {
                LOG.info("discovery instance name={} id={} upstream={}:{} weight={} enabled={}",
                        instance.name(), instance.id(), instance.address(), instance.port(), instance.weight(), instance.enabled());
                changed();
            }
        } catch (MalformedInstanceException e) {
            boolean wasRouted = byPath.remove(path) != null;
            if (!e.getMessage().equals(malformed.put(path, e.getMessage()))) {
                LOG.warn("discovery instance refused: {}", e.getMessage());
            }
            if (wasRouted) {
                changed();
            }
        }
    }

    private void forget(ChildData node) {
        boolean removed = byPath.remove(node.getPath()) != null;
        malformed.remove(node.getPath());
        if (removed) {
            LOG.info("discovery instance gone path={}", node.getPath());
            changed();
        }
    }

    private void changed() {
        if (initialized.getCount() == 0) {
            onChange.run();
        }
    }

    private String[] relativeParts(String path) {
        if (!path.startsWith(basePath + "/")) {
            return new String[0];
        }
        return path.substring(basePath.length() + 1).split("/");
    }
}
