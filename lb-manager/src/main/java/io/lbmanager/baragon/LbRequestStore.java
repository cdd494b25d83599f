package io.lbmanager.baragon;

import io.lbmanager.errors.StoreUnavailableException;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Load-balancer requests in ZooKeeper, one node each, so any manager answers for any request and a restart loses none. */
final class LbRequestStore {

    private static final Logger LOG = LoggerFactory.getLogger(LbRequestStore.class);

    record Versioned(LbRequestRecord record, int version) {
    }

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final int kept;

    LbRequestStore(CuratorFramework client, ZkLayout layout, int kept) {
        this.client = client;
        this.layout = layout;
        this.kept = kept;
    }

    /** Stores a new request; if one with this id exists already, returns that one instead and writes nothing. */
    Versioned createOrGet(LbRequestRecord record) {
        String path = layout.baragonRequest(record.id());
        try {
            client.create().creatingParentsIfNeeded().forPath(path, Json.write(record));
            pruneIfOverfull();
            return new Versioned(record, 0);
        } catch (KeeperException.NodeExistsException e) {
            return read(record.id()).orElseGet(() -> createOrGet(record)); // deleted in between by pruning
        } catch (Exception e) {
            throw unavailable("store request " + record.id(), e);
        }
    }

    Optional<Versioned> read(String id) {
        String path = layout.baragonRequest(id);
        try {
            Stat stat = new Stat();
            byte[] bytes = client.getData().storingStatIn(stat).forPath(path);
            return Optional.of(new Versioned(Json.read(path, bytes, LbRequestRecord.class), stat.getVersion()));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (CorruptNodeException e) {
            LOG.warn("baragon request node={} unreadable: {}", path, e.getMessage());
            return Optional.empty();
        } catch (Exception e) {
            throw unavailable("read request " + id, e);
        }
    }

    /** Replaces the request if nobody changed it since {@code version} was read; false otherwise (re-read then). */
    boolean replace(LbRequestRecord record, int version) {
        try {
            client.setData().withVersion(version).forPath(layout.baragonRequest(record.id()), Json.write(record));
            return true;
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
            return false;
        } catch (Exception e) {
            throw unavailable("update request " + record.id(), e);
        }
    }

    /** Deletes the oldest requests once there are a tenth more than {@code kept}, so pruning is rare. */
    private void pruneIfOverfull() throws Exception {
        List<String> ids = client.getChildren().forPath(layout.baragonRequests());
        if (ids.size() <= kept + Math.max(1, kept / 10)) {
            return;
        }
        List<Map.Entry<String, Long>> byAge = new ArrayList<>();
        for (String id : ids) {
            Stat stat = client.checkExists().forPath(layout.baragonRequest(id));
            if (stat != null) {
                byAge.add(Map.entry(id, stat.getCzxid()));
            }
        }
        byAge.sort(Map.Entry.comparingByValue(Comparator.naturalOrder()));
        int deleted = 0;
        for (Map.Entry<String, Long> old : byAge.subList(0, Math.max(0, byAge.size() - kept))) {
            try {
                client.delete().forPath(layout.baragonRequest(old.getKey()));
                deleted++;
            } catch (KeeperException.NoNodeException e) {
                // another manager pruned it
            }
        }
        LOG.info("baragon requests pruned={} kept={}", deleted, kept);
    }

    private static StoreUnavailableException unavailable(String what, Exception cause) {
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new StoreUnavailableException("ZooKeeper: could not " + what + ": " + cause.getMessage(), cause);
    }
}
