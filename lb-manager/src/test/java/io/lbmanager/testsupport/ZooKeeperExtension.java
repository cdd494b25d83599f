package io.lbmanager.testsupport;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real ZooKeeper in this JVM (curator-test's {@link TestingServer}, or a {@link TestingCluster}
 * for {@link #ensemble}) and a connected {@link CuratorFramework}. For one test class:
 * <pre>
 * {@literal @}RegisterExtension
 * static final ZooKeeperExtension ZK = new ZooKeeperExtension();
 * </pre>
 * for each test ({@link #perTest()} on an instance field), or outside JUnit's lifecycle (benchmarks,
 * one test's own server) with {@code try (ZooKeeperExtension zk = new ZooKeeperExtension().start())}.
 * The server can be stopped and restarted on the same port ({@link #stop}, {@link #restart}); a
 * {@link ManagerExtension} on it closes it only after its manager has stopped.
 * Helpers read and write nodes directly, to set up hand-made state and to prove that a refused
 * request changed nothing ({@link #tree}).
 */
public final class ZooKeeperExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
        AutoCloseable {

    private final boolean perTest;
    private final int ensembleSize;
    private int tickTimeMillis = -1;
    private boolean closedByOwner;
    private TestingServer server;
    private TestingCluster cluster;
    private CuratorFramework curator;
    private final java.util.List<CuratorFramework> authenticated = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** One server for the whole test class (register it on a static field). */
    public ZooKeeperExtension() {
        this(false, 1);
    }

    private ZooKeeperExtension(boolean perTest, int ensembleSize) {
        this.perTest = perTest;
        this.ensembleSize = ensembleSize;
    }

    /** A fresh server for each test (register it on an instance field). */
    public static ZooKeeperExtension perTest() {
        return new ZooKeeperExtension(true, 1);
    }

    /** An ensemble of {@code servers} servers for the test class, to lose one of ({@link #killOneServer}). */
    public static ZooKeeperExtension ensemble(int servers) {
        return new ZooKeeperExtension(false, servers);
    }

    /** ZooKeeper's tick (sessions last 2 to 20 ticks); shorter than the default 3 s to let sessions expire in a test's time. */
    public ZooKeeperExtension tickTimeMillis(int millis) {
        this.tickTimeMillis = millis;
        return this;
    }

    /** Starts the server(s) and the client; nothing happens when already started. */
    public synchronized ZooKeeperExtension start() throws Exception {
        if (curator != null) {
            return this;
        }
        String connect;
        if (ensembleSize > 1) {
            cluster = new TestingCluster(ensembleSize);
            cluster.start();
            connect = cluster.getConnectString();
        } else {
            server = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, tickTimeMillis, -1), true);
            connect = server.getConnectString();
        }
        curator = connect(connect);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (!perTest) {
            start();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (perTest) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (perTest) {
            close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (!perTest && !closedByOwner) {
            close();
        }
    }

    /** Leaves closing to whoever calls this (a manager must stop before its ZooKeeper goes, or its stop waits on it). */
    synchronized void closedBy(Object owner) {
        closedByOwner = owner != null;
    }

    @Override
    public synchronized void close() throws Exception {
        authenticated.forEach(CuratorFramework::close);
        authenticated.clear();
        if (curator != null) {
            curator.close();
            curator = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
        if (cluster != null) {
            cluster.close();
            cluster = null;
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
                .connectString(connectString())
                .sessionTimeoutMs(10_000)
                .connectionTimeoutMs(5_000)
                .retryPolicy(new RetryOneTime(100))
                .authorization("digest", userColonPassword.getBytes(StandardCharsets.UTF_8))
                .build();
        client.start();
        if (!client.blockUntilConnected(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("could not connect to the test ZooKeeper at " + connectString());
        }
        authenticated.add(client);
        return client;
    }

    public String connectString() {
        return server != null ? server.getConnectString() : cluster.getConnectString();
    }

    /** The single server's client port (not for an ensemble). */
    public int port() {
        return server.getPort();
    }

    /** Stops the server (its data and port are kept) until {@link #restart}. */
    public void stop() throws Exception {
        server.stop();
    }

    public void restart() throws Exception {
        server.restart();
    }

    /** Kills one server of the {@link #ensemble}. */
    public void killOneServer() throws Exception {
        cluster.killServer(cluster.getInstances().iterator().next());
    }

    /** The server of the {@link #ensemble} that leads now (asked with ZooKeeper's {@code srvr} command), or empty. */
    public java.util.Optional<InstanceSpec> leader() {
        return cluster.getInstances().stream().filter(spec -> serverMode(spec).equals("leader")).findFirst();
    }

    /** What {@code srvr} says a server of the {@link #ensemble} is: leader, follower, or "down" when it does not answer. */
    public String serverMode(InstanceSpec spec) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", spec.getPort())) {
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            java.util.regex.Matcher mode = java.util.regex.Pattern.compile("Mode: (\\w+)").matcher(answer);
            return mode.find() ? mode.group(1) : "no quorum";
        } catch (java.io.IOException e) {
            return "down";
        }
    }

    /** Kills this server of the {@link #ensemble} (its data is kept for {@link #restartServer}). */
    public void killServer(InstanceSpec spec) throws Exception {
        cluster.killServer(spec);
    }

    public void restartServer(InstanceSpec spec) throws Exception {
        cluster.restartServer(spec);
    }

    public java.util.Collection<InstanceSpec> servers() {
        return cluster.getInstances();
    }

    /**
     * Expires a client's session on the single server, as the server does when a client stays silent past
     * its timeout: its ephemeral nodes go, its watches end, the client learns it on its next contact.
     */
    public void expireSession(long sessionId) {
        org.apache.curator.test.ServerSideSessions.expire(server, sessionId);
    }

    /** The session that owns the ephemeral node at {@code path}, or 0 when the node is not ephemeral or absent. */
    public long sessionOwning(String path) throws Exception {
        Stat stat = curator.checkExists().forPath(path);
        return stat == null ? 0 : stat.getEphemeralOwner();
    }

    /** Operations retry for about 5 s, so they ride out a {@link #restart}. */
    private static CuratorFramework connect(String connectString) {
        CuratorFramework client = CuratorFrameworkFactory.newClient(connectString, 10_000, 5_000, new RetryNTimes(20, 250));
        client.start();
        try {
            if (!client.blockUntilConnected(10, TimeUnit.SECONDS)) {
                client.close();
                throw new IllegalStateException("could not connect to the test ZooKeeper at " + connectString);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new IllegalStateException("interrupted while connecting to the test ZooKeeper", e);
        }
        return client;
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
