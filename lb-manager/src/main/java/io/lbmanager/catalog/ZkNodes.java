package io.lbmanager.catalog;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The few ZooKeeper reads and the one multi-op commit the catalog is built from, with errors translated. */
final class ZkNodes {

    /** A node's bytes and the data version a compare-and-set must name. */
    record Node(byte[] data, int version) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private final CuratorFramework curator;

    ZkNodes(CuratorFramework curator) {
        this.curator = curator;
    }

    Optional<Node> read(String path) {
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

    boolean exists(String path) {
        try {
            return curator.checkExists().forPath(path) != null;
        } catch (Exception e) {
            throw unavailable("check " + path, e);
        }
    }

    /** Children in ZooKeeper's order; none when the node does not exist. */
    List<String> children(String path) {
        try {
            return new ArrayList<>(curator.getChildren().forPath(path));
        } catch (KeeperException.NoNodeException e) {
            return new ArrayList<>();
        } catch (Exception e) {
            throw unavailable("list " + path, e);
        }
    }

    /** Creates a structural node (and its parents) that is never deleted by the catalog. */
    void ensure(String path) {
        try {
            curator.create().creatingParentsIfNeeded().forPath(path, new byte[0]);
        } catch (KeeperException.NodeExistsException e) {
            // already there: what we wanted
        } catch (Exception e) {
            throw unavailable("create " + path, e);
        }
    }

    CuratorOp createOp(String path, byte[] data) {
        try {
            return curator.transactionOp().create().forPath(path, data);
        } catch (Exception e) {
            throw unavailable("prepare create " + path, e);
        }
    }

    CuratorOp setDataOp(String path, byte[] data, int expectedVersion) {
        try {
            return curator.transactionOp().setData().withVersion(expectedVersion).forPath(path, data);
        } catch (Exception e) {
            throw unavailable("prepare update " + path, e);
        }
    }

    /** @param expectedVersion the data version read earlier, or -1 for any */
    CuratorOp deleteOp(String path, int expectedVersion) {
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
    boolean commit(List<CuratorOp> operations) {
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

    private static CatalogUnavailableException unavailable(String what, Exception cause) {
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new CatalogUnavailableException("ZooKeeper: could not " + what + ": " + cause.getMessage(), cause);
    }
}
