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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * On the manager, for the status API: the peer lists published for each group's Lua balancers
 * ({@link PeerBucket}), each with its version: the modification zxid of its bucket, the version an
 * agent confirms. A group is watched from the first time it is asked for.
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
        String parent = layout.groupPeerBuckets(group);
        ConcurrentMap<String, Published> lists = new ConcurrentHashMap<>();
        Map<String, Set<String>> servicesByBucket = new ConcurrentHashMap<>();
        TreeWatch watch = TreeWatch.subtreeWithoutData(client, parent, new TreeWatch.Events() {
            @Override
            public void nodeChanged(ChildData node) {
                String bucket = ZkLayout.childName(parent, node.getPath());
                if (bucket == null) {
                    return;
                }
                Map<String, PeerList> read;
                try {
                    read = PeerBucket.parse(node.getPath(), node.getData());
                } catch (CorruptNodeException e) {
                    read = Map.of(); // the publisher rewrites it
                }
                long version = node.getStat() == null ? 0 : node.getStat().getMzxid();
                read.forEach((service, list) -> lists.put(service, new Published(list.peers(), version, list.zones())));
                Set<String> before = servicesByBucket.put(bucket, Set.copyOf(read.keySet()));
                if (before != null) {
                    before.stream().filter(service -> !servicesByBucket.get(bucket).contains(service)).forEach(lists::remove);
                }
            }

            @Override
            public void nodeDeleted(ChildData node) {
                String bucket = ZkLayout.childName(parent, node.getPath());
                if (bucket != null) {
                    Set<String> before = servicesByBucket.remove(bucket);
                    if (before != null) {
                        before.forEach(lists::remove);
                    }
                }
            }
        });
        watch.start();
        return new GroupWatch(watch, lists);
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
