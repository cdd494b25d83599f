package io.lbmanager.peers;

import io.lbmanager.catalog.Upstream;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.lbmanager.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PeerSync against a real ZooKeeper server, with no Nginx at all or with a recording stand-in for
 * its peers socket: what the agent reports while it cannot push, and when it may call the lists
 * loaded. The real Nginx side is in {@code DynamicUpstreamsOnHostTest}.
 */
class PeerSyncTest {

    private static final ZkLayout LAYOUT = new ZkLayout("/lb-manager");

    @RegisterExtension
    final ZooKeeperExtension zk = ZooKeeperExtension.perTest();
    private CuratorFramework client;

    @BeforeEach
    void start() throws Exception {
        client = zk.curator();
        publish(client, list("shop", "10.0.0.1", 80));
    }

    private static PeerList list(String service, String host, int port) {
        return new PeerList(service, List.of(new Upstream(host, port)));
    }

    /** Writes the list into its bucket, as the leading manager does. */
    private static void publish(CuratorFramework client, PeerList list) throws Exception {
        PeerNodes nodes = new PeerNodes(client, LAYOUT);
        StoredPeerLists stored = nodes.read("edge");
        stored.put(list);
        nodes.write("edge", stored);
    }

    private void unpublish(String service) throws Exception {
        PeerNodes nodes = new PeerNodes(client, LAYOUT);
        StoredPeerLists stored = nodes.read("edge");
        stored.remove(service);
        nodes.write("edge", stored);
    }

    /** Writes a node of the layout before buckets, as an older leading manager does. */
    private void publishUnbucketed(PeerList list) throws Exception {
        client.create().orSetData().creatingParentsIfNeeded().forPath(LAYOUT.groupPeerList("edge", list.service()), list.encode());
    }

    /** A started PeerSync whose lists all reached the Nginx at {@code socket}. */
    private PeerSync loaded(Path socket) throws InterruptedException {
        PeerSync sync = new PeerSync(client, LAYOUT, "edge", socket, "edge/a1");
        sync.start();
        sync.nginxLoaded(true);
        assertThat(sync.listsLoaded()).isTrue();
        return sync;
    }

    private static List<String> lines(List<String> bodies) {
        return bodies.stream().flatMap(String::lines).toList();
    }

    @Test
    void untilEveryListReachedNginxTheListsAreNotLoadedAndTheErrorSaysWhy(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("run/peers.sock");
        try (PeerSync sync = new PeerSync(client, LAYOUT, "edge", socket, "edge/a1")) {
            sync.start();
            assertThat(sync.listsLoaded()).as("no Nginx has taken the lists yet").isFalse();

            sync.nginxLoaded(true);

            assertThat(sync.nginxTakesPeers()).isTrue();
            assertThat(sync.listsLoaded()).isFalse();
            assertThat(sync.error()).contains("cannot push peer lists to nginx", "peers.sock");
            assertThat(sync.pushes()).isZero();

            sync.nginxLoaded(false);
            assertThat(sync.listsLoaded()).isTrue();
        }
    }

    @Test
    void afterNginxRestartsTheListsAreLoadedOnlyOnceAPushCarriedEveryOne(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("peers.sock");
        try (RecordingSocket nginx = RecordingSocket.at(socket);
             PeerSync sync = loaded(socket)) {
            assertThat(nginx.bodies()).isNotEmpty().allMatch("shop 10.0.0.1:80:1\n"::equals);

            sync.nginxLoading();
            int pushedBeforeRestart = nginx.bodies().size();
            assertThat(sync.listsLoaded()).as("a restarted Nginx starts with an empty dict").isFalse();
            publish(client, list("cart", "10.0.0.2", 81));

            await("the change of cart is pushed", Duration.ofSeconds(10),
                    () -> nginx.bodies().stream().anyMatch(body -> body.contains("cart")));
            await("lists loaded", Duration.ofSeconds(10), sync::listsLoaded);
            List<String> bodies = nginx.bodies();
            assertThat(bodies.subList(pushedBeforeRestart, bodies.size()).stream().flatMap(String::lines).distinct().sorted().toList())
                    .as("the pushes after the restart carry shop too, not only the change of cart")
                    .containsExactly("cart 10.0.0.2:81:1", "shop 10.0.0.1:80:1");
        }
    }

    @Test
    void duringAnUpgradeABucketWinsOverTheOlderLayoutWhoseListsServeUntilTheBucketsHaveThem(@TempDir Path dir) throws Exception {
        publishUnbucketed(list("shop", "10.0.0.9", 99));
        publishUnbucketed(list("cart", "10.0.0.2", 81));
        Path socket = dir.resolve("peers.sock");
        try (RecordingSocket nginx = RecordingSocket.at(socket);
             PeerSync sync = loaded(socket)) {
            assertThat(lines(nginx.bodies())).as("shop from its bucket, cart (in none) from the older layout")
                    .contains("shop 10.0.0.1:80:1", "cart 10.0.0.2:81:1").doesNotContain("shop 10.0.0.9:99:1");

            publish(client, list("cart", "10.0.0.3", 82)); // a new leader writes every list into buckets
            await("cart's bucket replaces its older node", Duration.ofSeconds(10),
                    () -> lines(nginx.bodies()).contains("cart 10.0.0.3:82:1"));
            client.delete().forPath(LAYOUT.groupPeerList("edge", "shop"));
            client.delete().forPath(LAYOUT.groupPeerList("edge", "cart"));
            publishUnbucketed(list("marker", "10.0.0.4", 83)); // after the deletions on the same watch
            await("the marker is pushed", Duration.ofSeconds(10), () -> lines(nginx.bodies()).contains("marker 10.0.0.4:83:1"));
            assertThat(lines(nginx.bodies())).as("deleting the older nodes removes no list that is in a bucket")
                    .doesNotContain("shop", "cart");

            unpublish("shop");
            await("a list gone from its bucket, with no older node, is removed", Duration.ofSeconds(10),
                    () -> lines(nginx.bodies()).contains("shop"));
            assertThat(sync.confirmedVersions()).containsOnlyKeys("cart", "marker");
        }
    }

    @Test
    void listsKeptOnDiskFillAnNginxStartedWithoutZooKeeperUntilZooKeepersFirstReadReplacesThem(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("peers.sock");
        PeerListFile file = new PeerListFile(dir.resolve("last-good/peers.json"));
        try (RecordingSocket nginx = RecordingSocket.at(socket);
             PeerSync sync = new PeerSync(client, LAYOUT, "edge", socket, "edge/a1").keepingListsIn(file)) {
            sync.start();
            sync.nginxLoaded(true);
            assertThat(sync.listsLoaded()).isTrue();
        }
        assertThat(file.read()).containsEntry("shop", "10.0.0.1:80:1");

        file.write(java.util.Map.of("shop", "10.0.0.1:80:1", "gone", "10.9.9.9:80:1")); // a service deleted since
        zk.stop();
        CuratorFramework restartedAgentsClient = org.apache.curator.framework.CuratorFrameworkFactory.newClient(zk.connectString(),
                10_000, 1_000, new org.apache.curator.retry.RetryNTimes(50, 200));
        restartedAgentsClient.start();
        java.nio.file.Files.deleteIfExists(socket); // Nginx went with its container
        try (RecordingSocket nginx = RecordingSocket.at(socket);
             PeerSync sync = new PeerSync(restartedAgentsClient, LAYOUT, "edge", socket, "edge/a1").keepingListsIn(file)) {
            sync.seed(file.read());
            sync.start();
            sync.nginxLoading();
            sync.nginxLoadedFromDisk(true);

            assertThat(nginx.bodies()).hasSize(1);
            assertThat(nginx.bodies().get(0).lines().sorted().toList()).containsExactly("gone 10.9.9.9:80:1", "shop 10.0.0.1:80:1");
            assertThat(sync.knownListsPushed()).isTrue();
            assertThat(sync.listsLoaded()).as("not every list is known to be current before ZooKeeper's first read").isFalse();

            zk.restart();
            unpublish("shop");
            publish(client, list("cart", "10.0.0.2", 81));
            await("ZooKeeper's lists replace the ones from disk", Duration.ofSeconds(30),
                    () -> sync.listsLoaded() && String.join("", nginx.bodies()).contains("cart 10.0.0.2:81:1\n"));
            String pushed = String.join("", nginx.bodies());
            assertThat(pushed).containsPattern("(?m)^shop$").containsPattern("(?m)^gone$");
        } finally {
            restartedAgentsClient.close();
        }
        assertThat(file.read()).containsOnlyKeys("cart");
    }

    /** Answers every POST on a unix socket with 200, as Nginx's /_lbm/peers does, and keeps the bodies. */
    private static final class RecordingSocket implements AutoCloseable {
        private final ServerSocketChannel server;
        private final List<String> bodies = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        private RecordingSocket(ServerSocketChannel server) {
            this.server = server;
            this.acceptor = new Thread(this::serve, "recording-peers-socket");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        static RecordingSocket at(Path socket) throws IOException {
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            return new RecordingSocket(server);
        }

        List<String> bodies() {
            return List.copyOf(bodies);
        }

        private void serve() {
            while (server.isOpen()) {
                try (SocketChannel channel = server.accept()) {
                    bodies.add(readBody(channel));
                    channel.write(ByteBuffer.wrap("HTTP/1.0 200 OK\r\n\r\nset\n".getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static String readBody(SocketChannel channel) throws IOException {
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (true) {
                String text = in.toString(StandardCharsets.UTF_8);
                int headEnd = text.indexOf("\r\n\r\n");
                if (headEnd >= 0) {
                    int length = Integer.parseInt(text.replaceAll("(?s).*Content-Length: ([0-9]+).*", "$1"));
                    if (text.length() - headEnd - 4 >= length) {
                        return text.substring(headEnd + 4);
                    }
                }
                buffer.clear();
                if (channel.read(buffer) < 0) {
                    throw new IOException("closed before the body");
                }
                in.write(buffer.array(), 0, buffer.position());
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
