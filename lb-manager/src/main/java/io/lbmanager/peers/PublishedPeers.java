package io.lbmanager.peers;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.TreeWatch;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * On the manager, for the status API: the peer lists published for each group's Lua balancers
 * ({@code groups/{group}/peers/{service}}), with each node's version (its modification zxid, the
 * version an agent confirms). A group is watched from the first time it is asked for.
 */
public final class PublishedPeers implements Managed {

    /**
     * @param version the node's modification zxid
     * @param zones   the zone of each peer in a known zone, by {@code host:port}
     */
    public record Published(List<Upstream> peers, long version, Map<String, String> zones) {

        public Published(List<Upstream> peers, long version) {
            this(peers, version, Map.of());
        }
    }

    private static final long FIRST_READ_WAIT_MILLIS = 2_000;

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final ConcurrentMap<String, GroupWatch> groups = new ConcurrentHashMap<>();

    private record GroupWatch(TreeWatch watch, ConcurrentMap<String, Published> lists) {
    }

    public PublishedPeers(CuratorFramework client, ZkLayout layout) {
        this.client = client;
        this.layout = layout;
    }

    /** The group's published lists by service id (empty in the reload mode, where nothing is published). */
    public Map<String, Published> of(String group) throws InterruptedException {
        GroupWatch watch = groups.computeIfAbsent(group, this::watch);
        watch.watch().awaitInitialized(FIRST_READ_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        return Map.copyOf(watch.lists());
    }

    private GroupWatch watch(String group) {
        String parent = layout.groupPeers(group);
        ConcurrentMap<String, Published> lists = new ConcurrentHashMap<>();
        TreeWatch watch = TreeWatch.subtreeWithoutData(client, parent, new TreeWatch.Events() {
            @Override
            public void nodeChanged(ChildData node) {
                String service = serviceOf(parent, node.getPath());
                if (service == null) {
                    return;
                }
                try {
                    PeerList list = PeerList.parse(node.getPath(), node.getData());
                    lists.put(service, new Published(list.peers(), node.getStat() == null ? 0 : node.getStat().getMzxid(), list.zones()));
                } catch (CorruptNodeException e) {
                    lists.remove(service); // the publisher rewrites it
                }
            }

            @Override
            public void nodeDeleted(ChildData node) {
                String service = serviceOf(parent, node.getPath());
                if (service != null) {
                    lists.remove(service);
                }
            }
        });
        watch.start();
        return new GroupWatch(watch, lists);
    }

    private static String serviceOf(String parent, String path) {
        String child = path.startsWith(parent + "/") ? path.substring(parent.length() + 1) : null;
        return child == null || child.contains("/") ? null : child;
    }

    @Override
    public void start() {
    }

    @Override
    public void stop() {
        groups.values().forEach(group -> group.watch().close());
        groups.clear();
    }
}
