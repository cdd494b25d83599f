package io.lbmanager.fleet;

import io.lbmanager.catalog.CatalogUnavailableException;
import io.lbmanager.zk.Json;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

import java.util.Optional;

/** One JSON document per ZooKeeper node: read it if it exists, write it (creating parents), delete it. */
public final class ZkJson {

    private final CuratorFramework client;

    public ZkJson(CuratorFramework client) {
        this.client = client;
    }

    public CuratorFramework client() {
        return client;
    }

    public <T> Optional<T> read(String path, Class<T> type) {
        try {
            return Optional.of(Json.read(path, client.getData().forPath(path), type));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new CatalogUnavailableException("reading " + path, e);
        }
    }

    public void write(String path, Object value) {
        try {
            client.create().orSetData().creatingParentsIfNeeded().forPath(path, Json.write(value));
        } catch (Exception e) {
            throw new CatalogUnavailableException("writing " + path, e);
        }
    }

    public void delete(String path) {
        try {
            client.delete().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            // already gone
        } catch (Exception e) {
            throw new CatalogUnavailableException("deleting " + path, e);
        }
    }
}
