package io.lbmanager.auth;

import io.lbmanager.errors.StoreUnavailableException;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/** Tokens in ZooKeeper, one node per token id ({@link ZkLayout#token}). */
public final class TokenStore {

    private final CuratorFramework curator;
    private final ZkLayout layout;

    public TokenStore(CuratorFramework curator, ZkLayout layout) {
        this.curator = curator;
        this.layout = layout;
    }

    /** A stored token and the node version it was read at. */
    public record Versioned(TokenRecord token, int version) {
    }

    /**
     * Waits, at start-up, up to the client's connection timeout for ZooKeeper: {@link #read} answers
     * at once while disconnected, which would fail a start whose client is still connecting.
     */
    public void awaitConnection() {
        int timeoutMs = curator.getZookeeperClient().getConnectionTimeoutMs();
        try {
            if (!curator.blockUntilConnected(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new StoreUnavailableException("token store: ZooKeeper not connected within " + timeoutMs + " ms of start", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("token store: interrupted while waiting for ZooKeeper", e);
        }
    }

    public Optional<Versioned> read(String id) {
        if (!TokenSecrets.validId(id)) {
            return Optional.empty();
        }
        if (!curator.getZookeeperClient().isConnected()) {
            // every API call reads its token here: answer 503 at once rather than wait out the connection timeout
            throw new StoreUnavailableException("token store: not connected to ZooKeeper", null);
        }
        String path = layout.token(id);
        try {
            Stat stat = new Stat();
            byte[] bytes = curator.getData().storingStatIn(stat).forPath(path);
            return Optional.of(new Versioned(Json.read(path, bytes, TokenRecord.class), stat.getVersion()));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw unavailable(e);
        }
    }

    public List<TokenRecord> all() {
        List<TokenRecord> tokens = new ArrayList<>();
        try {
            if (curator.checkExists().forPath(layout.tokens()) == null) {
                return tokens;
            }
            for (String id : new TreeSet<>(curator.getChildren().forPath(layout.tokens()))) {
                read(id).ifPresent(v -> tokens.add(v.token()));
            }
            return tokens;
        } catch (Exception e) {
            throw unavailable(e);
        }
    }

    /** Creates the node; false when a token with this id exists already. */
    public boolean create(TokenRecord token) {
        try {
            curator.create().creatingParentsIfNeeded().forPath(layout.token(token.id()), Json.write(token));
            return true;
        } catch (KeeperException.NodeExistsException e) {
            return false;
        } catch (Exception e) {
            throw unavailable(e);
        }
    }

    /** Replaces the node if it is still at {@code version}; false when someone changed it first. */
    public boolean replace(TokenRecord token, int version) {
        try {
            curator.setData().withVersion(version).forPath(layout.token(token.id()), Json.write(token));
            return true;
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
            return false;
        } catch (Exception e) {
            throw unavailable(e);
        }
    }

    private static StoreUnavailableException unavailable(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new StoreUnavailableException("token store", e);
    }
}
