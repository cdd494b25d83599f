package io.lbmanager.demo;

import com.fasterxml.jackson.databind.node.TextNode;
import io.dropwizard.core.Application;
import io.dropwizard.core.cli.ServerCommand;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.logging.common.DefaultLoggingFactory;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.auth.AdminToken;
import io.lbmanager.auth.TokenSecrets;
import io.lbmanager.config.FleetConfig;
import net.sourceforge.argparse4j.inf.Namespace;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * {@code demo}: the manager on embedded defaults (in-process ZooKeeper, templates/ from the
 * working directory), one LB group of two Nginx containers on the local Docker engine, and two
 * sample backends registered through Curator x-discovery. Ctrl-C stops everything it started.
 */
public final class DemoCommand extends ServerCommand<LbManagerConfiguration> {

    public static final String GROUP = "demo";

    public DemoCommand(Application<LbManagerConfiguration> application) {
        super(application, "demo", "Runs the manager, a 2-Nginx LB group on local Docker and two sample backends");
    }

    @Override
    protected void run(Bootstrap<LbManagerConfiguration> bootstrap, Namespace namespace, LbManagerConfiguration config) throws Exception {
        config.demo = true;
        if (config.zookeeper.isEmbedded()) {
            config.zookeeper.embeddedPort = zooKeeperPort(config.zookeeper.embeddedPort);
        }
        if (!config.groups.contains(GROUP)) {
            config.groups.add(GROUP);
        }
        config.fleet.backend = FleetConfig.Backend.DOCKER;
        if (config.fleet.name.equals(new FleetConfig().name)) {
            config.fleet.name = "demo";
        }
        if (config.getLoggingFactory() instanceof DefaultLoggingFactory logging && logging.getLoggers().isEmpty()) {
            logging.setLoggers(Map.of(
                    "org.apache.zookeeper", TextNode.valueOf("WARN"),
                    "org.apache.curator", TextNode.valueOf("WARN"),
                    "org.eclipse.jetty", TextNode.valueOf("WARN")));
        }
        config.fleet.instances.putIfAbsent(GROUP, 2);
        if (System.getenv(AdminToken.ENV) == null && config.api.adminTokenFile.isBlank()) {
            config.api.adminTokenFile = demoAdminTokenFile().toString();
        }
        DemoTrust.configure(config);
        if (config.getServerFactory() instanceof DefaultServerFactory server) {
            server.getApplicationConnectors().forEach(DemoCommand::bindToLoopback);
            server.getAdminConnectors().forEach(DemoCommand::bindToLoopback);
        }
        super.run(bootstrap, namespace, config);
    }

    /**
     * The demo's ZooKeeper listens on {@code zookeeper.embeddedPort} (2181 unless configured), so the
     * connect string a newcomer copies is always the same; when that port is taken it says so and takes a free one.
     */
    static int zooKeeperPort(int wanted) {
        if (wanted == 0) {
            return 0;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), wanted));
            return wanted;
        } catch (IOException taken) {
            System.out.println("\ndemo: port " + wanted + " on 127.0.0.1 is taken (another ZooKeeper?); the demo's ZooKeeper"
                    + " takes a free port instead: the block printed at the end names it. To choose one: LBM_ZK_PORT=PORT ./demo.sh\n");
            return 0;
        }
    }

    /** A fresh admin token for this demo run, in a file only this user can read, deleted when the JVM exits. */
    private static Path demoAdminTokenFile() throws IOException {
        Path file = Files.createTempFile("lbm-demo-admin-token", ".txt", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        file.toFile().deleteOnExit();
        Files.writeString(file, TokenSecrets.newSecret(TokenSecrets.newId()));
        return file;
    }

    private static void bindToLoopback(ConnectorFactory connector) {
        if (connector instanceof HttpConnectorFactory http && http.getBindHost() == null) {
            http.setBindHost("127.0.0.1");
        }
    }
}
