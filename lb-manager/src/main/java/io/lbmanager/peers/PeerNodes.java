package io.lbmanager.peers;

import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A group's peer-list nodes in ZooKeeper ({@code groups/{group}/peers/{service}}). A lone change
 * is one write; a burst goes in transactions of up to {@value #OPS_PER_TRANSACTION} nodes, because
 * ZooKeeper syncs its log to disk once per request: a thousand lists written one by one wait for a
 * thousand disk syncs. A transaction that fails (a node changed behind our back) is redone one node
 * at a time, which settles whatever it found.
 */
final class PeerNodes {

    static final int OPS_PER_TRANSACTION = 500;
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

    /** What the group's nodes hold now; a node that does not parse is deleted, so the current list is written anew. */
    Map<String, PeerList> read(String group) throws Exception {
        Map<String, PeerList> stored = new HashMap<>();
        List<String> children;
        try {
            children = client.getChildren().forPath(layout.groupPeers(group));
        } catch (KeeperException.NoNodeException e) {
            return stored;
        }
        for (String service : children) {
            String path = layout.groupPeerList(group, service);
            try {
                stored.put(service, PeerList.parse(path, client.getData().forPath(path)));
            } catch (CorruptNodeException e) {
                LOG.warn("{}; deleting it, the current list is written anew", e.getMessage());
                delete(path);
            } catch (KeeperException.NoNodeException ignored) {
                // deleted meanwhile
            }
        }
        return stored;
    }

    /**
     * Writes every list in {@code lists} and deletes the nodes of {@code gone}.
     *
     * @param existing services whose node is there, as far as the caller knows (set, not create)
     */
    void update(String group, Collection<PeerList> lists, Set<String> existing, Collection<String> gone) throws Exception {
        if (lists.size() + gone.size() <= 1) {
            updateOneByOne(group, lists, gone);
            return;
        }
        if (lists.stream().anyMatch(list -> !existing.contains(list.service()))) {
            createParent(layout.groupPeers(group));
        }
        List<PeerList> listChunk = new ArrayList<>();
        List<String> goneChunk = new ArrayList<>();
        for (PeerList list : lists) {
            listChunk.add(list);
            if (listChunk.size() == OPS_PER_TRANSACTION) {
                commit(group, listChunk, existing, goneChunk);
            }
        }
        for (String service : gone) {
            goneChunk.add(service);
            if (listChunk.size() + goneChunk.size() == OPS_PER_TRANSACTION) {
                commit(group, listChunk, existing, goneChunk);
            }
        }
        if (!listChunk.isEmpty() || !goneChunk.isEmpty()) {
            commit(group, listChunk, existing, goneChunk);
        }
    }

    /** One transaction for the chunk (emptied afterwards), or node by node if ZooKeeper refuses it. */
    private void commit(String group, List<PeerList> lists, Set<String> existing, List<String> gone) throws Exception {
        List<CuratorOp> ops = new ArrayList<>();
        for (PeerList list : lists) {
            String path = layout.groupPeerList(group, list.service());
            ops.add(existing.contains(list.service())
                    ? client.transactionOp().setData().forPath(path, list.encode())
                    : client.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(path, list.encode()));
        }
        for (String service : gone) {
            ops.add(client.transactionOp().delete().forPath(layout.groupPeerList(group, service)));
        }
        try {
            client.transaction().forOperations(ops);
            writes.addAndGet(ops.size());
        } catch (KeeperException e) {
            LOG.info("peer lists group={} not written in one transaction ({}); writing them one by one", group, e.code());
            updateOneByOne(group, lists, gone);
        }
        lists.clear();
        gone.clear();
    }

    private void updateOneByOne(String group, Collection<PeerList> lists, Collection<String> gone) throws Exception {
        for (PeerList list : lists) {
            write(layout.groupPeerList(group, list.service()), list.encode());
        }
        for (String service : gone) {
            delete(layout.groupPeerList(group, service));
        }
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
