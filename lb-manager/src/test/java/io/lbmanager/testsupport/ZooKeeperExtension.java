package io.lbmanager.testsupport;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real ZooKeeper server in this JVM (curator-test's {@link TestingServer}) and a connected
 * {@link CuratorFramework}, for one test class:
 * <pre>
 * {@literal @}RegisterExtension
 * static final ZooKeeperExtension ZK = new ZooKeeperExtension();
 * </pre>
 * Helpers read and write nodes directly, to set up hand-made state and to prove that a refused
 * request changed nothing ({@link #tree}).
 */
public final class ZooKeeperExtension implements BeforeAllCallback, AfterAllCallback {

    private TestingServer server;
    private CuratorFramework curator;
    private final java.util.List<CuratorFramework> authenticated = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = new TestingServer(true);
        curator = CuratorFrameworkFactory.newClient(server.getConnectString(), 10_000, 5_000, new RetryOneTime(100));
        curator.start();
        if (!curator.blockUntilConnected(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("could not connect to the test ZooKeeper at " + server.getConnectString());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        authenticated.forEach(CuratorFramework::close);
        if (curator != null) {
            curator.close();
        }
        if (server != null) {
            server.close();
        }
    }

    public CuratorFramework curator() {
        return curator;
    }

    /**
     * A connected client that authenticates with ZooKeeper digest credentials {@code user:password}
     * (closed after the class); {@link #curator()} is the unauthenticated one, as a service team's.
     */
    public CuratorFramework clientAs(String userColonPassword) throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(server.getConnectString())
                .sessionTimeoutMs(10_000)
                .connectionTimeoutMs(5_000)
                .retryPolicy(new RetryOneTime(100))
                .authorization("digest", userColonPassword.getBytes(StandardCharsets.UTF_8))
                .build();
        client.start();
        if (!client.blockUntilConnected(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("could not connect to the test ZooKeeper at " + server.getConnectString());
        }
        authenticated.add(client);
        return client;
    }

    public String connectString() {
        return server.getConnectString();
    }

    /**
     * Every node at and below {@code path}, mapped to its data version and exact bytes (base64).
     * Two equal trees mean nothing was created, deleted or written, not even with the same bytes.
     */
    public SortedMap<String, String> tree(String path) throws Exception {
        return tree(curator, path);
    }

    /** {@link #tree(String)} as read by {@code client} (one with credentials, where ACLs hide nodes from others). */
    public SortedMap<String, String> tree(CuratorFramework client, String path) throws Exception {
        TreeMap<String, String> nodes = new TreeMap<>();
        collect(client, path, nodes);
        return nodes;
    }

    /** A node's data as UTF-8 text, or null when the node does not exist. */
    public String text(String path) throws Exception {
        try {
            return new String(curator.getData().forPath(path), StandardCharsets.UTF_8);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    public boolean exists(String path) throws Exception {
        return curator.checkExists().forPath(path) != null;
    }

    /** Creates the node (and parents) or overwrites its data. */
    public void write(String path, byte[] data) throws Exception {
        if (exists(path)) {
            curator.setData().forPath(path, data);
        } else {
            curator.create().creatingParentsIfNeeded().forPath(path, data);
        }
    }

    public void write(String path, String text) throws Exception {
        write(path, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Deletes the node and everything below it; nothing happens when it does not exist. */
    public void deleteAll(String path) throws Exception {
        try {
            curator.delete().deletingChildrenIfNeeded().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            // already gone
        }
    }

    private static void collect(CuratorFramework curator, String path, TreeMap<String, String> nodes) throws Exception {
        Stat stat = new Stat();
        byte[] data;
        try {
            data = curator.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return;
        }
        nodes.put(path, "v" + stat.getVersion() + " " + Base64.getEncoder().encodeToString(data == null ? new byte[0] : data));
        for (String child : curator.getChildren().forPath(path)) {
            collect(curator, path.equals("/") ? "/" + child : path + "/" + child, nodes);
        }
    }
}
