package io.lbmanager.zk;

import io.lbmanager.errors.StoreUnavailableException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one way lb-manager reads and writes its own ZooKeeper nodes: plain reads, JSON documents
 * (through {@link Json}), multi-op commits, with ZooKeeper's failures translated into
 * {@link StoreUnavailableException} and a node that does not parse into {@link CorruptNodeException}.
 */
public final class ZkNodes {

    /** A node's bytes and the data version a compare-and-set must name. */
    public record Node(byte[] data, int version) {
        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private final CuratorFramework curator;

    public ZkNodes(CuratorFramework curator) {
        this.curator = curator;
    }

    public CuratorFramework client() {
        return curator;
    }

    /** The JSON document at {@code path}, if the node exists. */
    public <T> Optional<T> readJson(String path, Class<T> type) {
        return read(path).map(node -> Json.read(path, node.data(), type));
    }

    /** Writes {@code value} as JSON at {@code path}, creating the node and its parents when missing. */
    public void writeJson(String path, Object value) {
        try {
            curator.create().orSetData().creatingParentsIfNeeded().forPath(path, Json.write(value));
        } catch (Exception e) {
            throw unavailable("write " + path, e);
        }
    }

    /** Deletes the node; one that is already gone is fine. */
    public void delete(String path) {
        try {
            curator.delete().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            // already gone
        } catch (Exception e) {
            throw unavailable("delete " + path, e);
        }
    }

    public Optional<Node> read(String path) {
        try {
            Stat stat = new Stat();
            byte[] data = curator.getData().storingStatIn(stat).forPath(path);
            return Optional.of(new Node(data == null ? new byte[0] : data, stat.getVersion()));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw unavailable("read " + path, e);
        }
    }

    public boolean exists(String path) {
        try {
            return curator.checkExists().forPath(path) != null;
        } catch (Exception e) {
            throw unavailable("check " + path, e);
        }
    }

    /** Children in ZooKeeper's order; none when the node does not exist. */
    public List<String> children(String path) {
        try {
            return new ArrayList<>(curator.getChildren().forPath(path));
        } catch (KeeperException.NoNodeException e) {
            return new ArrayList<>();
        } catch (Exception e) {
            throw unavailable("list " + path, e);
        }
    }

    /** Creates a structural node (and its parents) that is never deleted by the catalog. */
    public void ensure(String path) {
        try {
            curator.create().creatingParentsIfNeeded().forPath(path, new byte[0]);
        } catch (KeeperException.NodeExistsException e) {
            // already there: what we wanted
        } catch (Exception e) {
            throw unavailable("create " + path, e);
        }
    }

    public CuratorOp createOp(String path, byte[] data) {
        try {
            return curator.transactionOp().create().forPath(path, data);
        } catch (Exception e) {
            throw unavailable("prepare create " + path, e);
        }
    }

    public CuratorOp setDataOp(String path, byte[] data, int expectedVersion) {
        try {
            return curator.transactionOp().setData().withVersion(expectedVersion).forPath(path, data);
        } catch (Exception e) {
            throw unavailable("prepare update " + path, e);
        }
    }

    /** @param expectedVersion the data version read earlier, or -1 for any */
    public CuratorOp deleteOp(String path, int expectedVersion) {
        try {
            return curator.transactionOp().delete().withVersion(expectedVersion).forPath(path);
        } catch (Exception e) {
            throw unavailable("prepare delete " + path, e);
        }
    }

    /**
     * Applies all operations or none. Returns false when a precondition the caller read earlier no
     * longer holds (version moved, node appeared or vanished, children appeared): the caller re-reads and retries.
     */
    public boolean commit(List<CuratorOp> operations) {
        try {
            curator.transaction().forOperations(operations);
            return true;
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException
                 | KeeperException.NoNodeException | KeeperException.NotEmptyException e) {
            return false;
        } catch (Exception e) {
            throw unavailable("commit a transaction of " + operations.size() + " operations", e);
        }
    }

    private static StoreUnavailableException unavailable(String what, Exception cause) {
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new StoreUnavailableException("ZooKeeper: could not " + what + ": " + cause.getMessage(), cause);
    }
}
