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
        config.zookeeper.embeddedPort = 0;
        if (!config.groups.contains(GROUP)) {
            config.groups.add(GROUP);
        }
        config.fleet.backend = FleetConfig.Backend.DOCKER;
        config.fleet.name = "demo";
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
