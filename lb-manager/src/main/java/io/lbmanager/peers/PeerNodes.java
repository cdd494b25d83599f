package io.lbmanager.peers;

import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A group's peer-bucket nodes in ZooKeeper ({@link PeerBucket}). The buckets a change touched are
 * written in transactions of up to {@value #OPS_PER_TRANSACTION} nodes and {@value #BYTES_PER_TRANSACTION}
 * bytes (ZooKeeper refuses a request over its 1 MB {@code jute.maxbuffer}), because ZooKeeper syncs
 * its log to disk once per request. A transaction that fails (a node changed behind our back) is
 * redone one node at a time, which settles whatever it found. Also removes the nodes of the layout
 * before buckets, one per service ({@code groups/{group}/peers/{service}}).
 */
final class PeerNodes {

    static final int OPS_PER_TRANSACTION = 500;
    static final int BYTES_PER_TRANSACTION = 512 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(PeerNodes.class);

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final AtomicLong writes = new AtomicLong();

    PeerNodes(CuratorFramework client, ZkLayout layout) {
        this.client = client;
        this.layout = layout;
    }

    /** Nodes created, changed or deleted so far. */
    long writes() {
        return writes.get();
    }

    /** What the group's buckets hold now; a bucket that does not parse is written anew. */
    StoredPeerLists read(String group) throws Exception {
        StoredPeerLists stored = new StoredPeerLists();
        List<String> children;
        try {
            children = client.getChildren().forPath(layout.groupPeerBuckets(group));
        } catch (KeeperException.NoNodeException e) {
            return stored;
        }
        for (String name : children) {
            int bucket = PeerBucket.parseName(name);
            String path = layout.groupPeerBucket(group, name);
            if (bucket < 0) {
                LOG.warn("ZooKeeper node {} is not a peer bucket; deleting it", path);
                delete(path);
                continue;
            }
            try {
                stored.read(bucket, PeerBucket.parse(path, client.getData().forPath(path)));
            } catch (CorruptNodeException e) {
                LOG.warn("{}; it is written anew", e.getMessage());
                stored.unreadable(bucket);
            } catch (KeeperException.NoNodeException ignored) {
                // deleted meanwhile
            }
        }
        return stored;
    }

    /** Writes the buckets that changed in {@code stored}: set, created, or deleted when they hold no list. */
    void write(String group, StoredPeerLists stored) throws Exception {
        List<Integer> buckets = List.copyOf(stored.changedBuckets());
        if (buckets.isEmpty()) {
            return;
        }
        if (buckets.size() == 1) {
            writeOneByOne(group, stored, buckets);
            return;
        }
        createParent(layout.groupPeerBuckets(group));
        List<Integer> chunk = new ArrayList<>();
        List<CuratorOp> ops = new ArrayList<>();
        int bytes = 0;
        for (int bucket : buckets) {
            List<PeerList> lists = stored.lists(bucket);
            byte[] encoded = lists.isEmpty() ? new byte[0] : PeerBucket.encode(lists);
            if (!ops.isEmpty() && (ops.size() == OPS_PER_TRANSACTION || bytes + encoded.length > BYTES_PER_TRANSACTION)) {
                commit(group, stored, chunk, ops);
                bytes = 0;
            }
            String path = bucketPath(group, bucket);
            if (lists.isEmpty()) {
                if (!stored.exists(bucket)) {
                    stored.written(bucket);
                    continue;
                }
                ops.add(client.transactionOp().delete().forPath(path));
            } else {
                ops.add(stored.exists(bucket)
                        ? client.transactionOp().setData().forPath(path, encoded)
                        : client.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(path, encoded));
            }
            chunk.add(bucket);
            bytes += encoded.length;
        }
        if (!ops.isEmpty()) {
            commit(group, stored, chunk, ops);
        }
    }

    /** One transaction for the chunk (both emptied afterwards), or node by node if ZooKeeper refuses it. */
    private void commit(String group, StoredPeerLists stored, List<Integer> chunk, List<CuratorOp> ops) throws Exception {
        try {
            client.transaction().forOperations(ops);
            writes.addAndGet(ops.size());
            chunk.forEach(stored::written);
        } catch (KeeperException e) {
            LOG.info("peer buckets group={} not written in one transaction ({}); writing them one by one", group, e.code());
            writeOneByOne(group, stored, chunk);
        }
        chunk.clear();
        ops.clear();
    }

    private void writeOneByOne(String group, StoredPeerLists stored, List<Integer> buckets) throws Exception {
        for (int bucket : buckets) {
            List<PeerList> lists = stored.lists(bucket);
            if (lists.isEmpty()) {
                delete(bucketPath(group, bucket));
            } else {
                write(bucketPath(group, bucket), PeerBucket.encode(lists));
            }
            stored.written(bucket);
        }
    }

    /**
     * Deletes the group's nodes of the layout before buckets, and their parent.
     *
     * @return how many there were
     */
    int deleteUnbucketed(String group) throws Exception {
        String parent = layout.groupPeers(group);
        List<String> children;
        try {
            children = client.getChildren().forPath(parent);
        } catch (KeeperException.NoNodeException e) {
            return 0;
        }
        List<CuratorOp> ops = new ArrayList<>();
        for (int i = 0; i < children.size(); i++) {
            ops.add(client.transactionOp().delete().forPath(layout.groupPeerList(group, children.get(i))));
            if (ops.size() == OPS_PER_TRANSACTION || i == children.size() - 1) {
                try {
                    client.transaction().forOperations(ops);
                    writes.addAndGet(ops.size());
                } catch (KeeperException e) {
                    for (CuratorOp op : ops) {
                        delete(op.get().getPath());
                    }
                }
                ops.clear();
            }
        }
        try {
            client.delete().forPath(parent);
        } catch (KeeperException.NoNodeException | KeeperException.NotEmptyException ignored) {
            // gone already, or an older manager still writes there: deleted when a leader with buckets next reads the group
        }
        return children.size();
    }

    boolean hasUnbucketed(String group) throws Exception {
        Stat stat = client.checkExists().forPath(layout.groupPeers(group));
        return stat != null;
    }

    private String bucketPath(String group, int bucket) {
        return layout.groupPeerBucket(group, PeerBucket.name(bucket));
    }

    private void createParent(String path) throws Exception {
        try {
            client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(path);
        } catch (KeeperException.NodeExistsException ignored) {
            // there already
        }
    }

    private void write(String path, byte[] bytes) throws Exception {
        try {
            client.setData().forPath(path, bytes);
        } catch (KeeperException.NoNodeException e) {
            client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(path, bytes);
        }
        writes.incrementAndGet();
    }

    private void delete(String path) throws Exception {
        try {
            client.delete().forPath(path);
            writes.incrementAndGet();
        } catch (KeeperException.NoNodeException ignored) {
            // already gone
        }
    }
}
