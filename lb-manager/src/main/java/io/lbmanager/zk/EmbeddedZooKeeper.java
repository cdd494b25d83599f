package io.lbmanager.zk;

import io.dropwizard.lifecycle.Managed;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** A real ZooKeeper server inside the manager's JVM, listening on 127.0.0.1 only: the embedded default. */
public final class EmbeddedZooKeeper implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedZooKeeper.class);

    private final ZooKeeperServerEmbedded server;
    private final int port;
    private final Path dataDir;

    private EmbeddedZooKeeper(ZooKeeperServerEmbedded server, int port, Path dataDir) {
        this.server = server;
        this.port = port;
        this.dataDir = dataDir;
    }

    /** Configures (does not start) a server; port 0 picks a free port, an empty data dir a temporary one. */
    public static EmbeddedZooKeeper create(int requestedPort, String dataDir) {
        try {
            int port = requestedPort == 0 ? freeLoopbackPort() : requestedPort;
            Path dir = dataDir.isBlank() ? Files.createTempDirectory("lbm-zookeeper") : Files.createDirectories(Path.of(dataDir));
            Properties props = new Properties();
            props.setProperty("clientPort", Integer.toString(port));
            props.setProperty("clientPortAddress", "127.0.0.1");
            props.setProperty("tickTime", "2000");
            props.setProperty("admin.enableServer", "false");
            props.setProperty("4lw.commands.whitelist", "ruok,srvr,stat");
            ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder()
                    .baseDir(dir)
                    .configuration(props)
                    .exitHandler(ExitHandler.LOG_ONLY)
                    .build();
            return new EmbeddedZooKeeper(server, port, dir);
        } catch (Exception e) {
            throw new IllegalStateException("cannot configure the embedded ZooKeeper server: " + e.getMessage(), e);
        }
    }

    public String connectString() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void start() throws Exception {
        server.start();
        LOG.info("embedded zookeeper listening on {} data={}", connectString(), dataDir);
    }

    @Override
    public void stop() {
        server.close();
        LOG.info("embedded zookeeper stopped");
    }

    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
