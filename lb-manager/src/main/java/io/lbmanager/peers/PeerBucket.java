package io.lbmanager.peers;

import io.lbmanager.contract.ServiceShards;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The peer lists of one group are stored in {@value #COUNT} bucket nodes,
 * {@code groups/{group}/peer-buckets/{bucket}}, each holding the lists of the services whose id
 * hashes to it: an agent starting at 50,000 services reads at most {@value #COUNT} nodes instead of
 * 50,000, and a change rewrites one bucket of a dozen lists. Only buckets with lists exist.
 */
public final class PeerBucket {

    public static final int COUNT = 4096;

    /** What a bucket node holds: its lists sorted by service id. */
    record Stored(List<PeerList> lists) {
    }

    private PeerBucket() {
    }

    /** One service's list as stored, and the modification zxid of the node it is in (its version). */
    public record StoredList(PeerList list, long mzxid) {
    }

    /** One service's list in {@code group}, from its bucket, else from a node of the layout before buckets. */
    public static Optional<StoredList> readOne(CuratorFramework client, ZkLayout layout, String group, String service) throws Exception {
        Stat stat = new Stat();
        String bucketPath = layout.groupPeerBucket(group, name(of(service)));
        try {
            PeerList list = parse(bucketPath, client.getData().storingStatIn(stat).forPath(bucketPath)).get(service);
            if (list != null) {
                return Optional.of(new StoredList(list, stat.getMzxid()));
            }
        } catch (KeeperException.NoNodeException e) {
            // not in a bucket
        }
        String path = layout.groupPeerList(group, service);
        try {
            return Optional.of(new StoredList(PeerList.parse(path, client.getData().storingStatIn(stat).forPath(path)), stat.getMzxid()));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    /** The bucket of a service: the routing table's shard function ({@link ServiceShards}), with {@value #COUNT} buckets. */
    public static int of(String serviceId) {
        return ServiceShards.of(serviceId, COUNT);
    }

    public static String name(int bucket) {
        return String.format("%04d", bucket);
    }

    /** The bucket a node name stands for, or -1 when it names none. */
    public static int parseName(String name) {
        if (name.length() != 4 || !name.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        int bucket = Integer.parseInt(name);
        return bucket < COUNT ? bucket : -1;
    }

    static byte[] encode(Collection<PeerList> lists) {
        return Json.write(new Stored(lists.stream().sorted(Comparator.comparing(PeerList::service)).toList()));
    }

    /**
     * Reads a bucket node the manager wrote, checking every list as {@link PeerList#check} does and
     * that each service hashes to this bucket and appears once.
     *
     * @return the lists by service id
     */
    public static Map<String, PeerList> parse(String path, byte[] bytes) {
        int bucket = parseName(path.substring(path.lastIndexOf('/') + 1));
        if (bucket < 0) {
            throw new CorruptNodeException(path, "the node's name is not a bucket number 0000.." + name(COUNT - 1));
        }
        if (bytes == null || bytes.length == 0) {
            throw new CorruptNodeException(path, "empty node");
        }
        Stored stored = Json.read(path, bytes, Stored.class);
        if (stored.lists() == null) {
            throw new CorruptNodeException(path, "field lists: missing");
        }
        Map<String, PeerList> lists = new LinkedHashMap<>();
        for (int i = 0; i < stored.lists().size(); i++) {
            String field = "lists[" + i + "].";
            PeerList list = PeerList.check(path, field, stored.lists().get(i));
            if (of(list.service()) != bucket) {
                throw new CorruptNodeException(path, "field " + field + "service: " + list.service() + " belongs in bucket " + name(of(list.service())));
            }
            if (lists.put(list.service(), list) != null) {
                throw new CorruptNodeException(path, "field " + field + "service: " + list.service() + " appears twice");
            }
        }
        return lists;
    }
}
