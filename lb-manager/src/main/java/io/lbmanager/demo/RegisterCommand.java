package io.lbmanager.demo;

import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import io.lbmanager.config.DiscoveryConfig;
import io.lbmanager.zk.ZooKeeperClients;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;

import org.apache.curator.utils.CloseableUtils;

import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code register [--zookeeper CS] [--base-path P] [--address HOST:PORT] NAME}: what a service team's
 * program does, as one command. Registers an instance under NAME through Curator x-discovery and
 * keeps it registered until Ctrl-C; without {@code --address} it first starts a sample backend on
 * 127.0.0.1 that answers with its name, so the new instance can be seen taking requests.
 */
public final class RegisterCommand extends Command {

    public RegisterCommand() {
        super("register", "Registers an instance of a service through Curator x-discovery until Ctrl-C (the demo's one-line registration)");
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("--zookeeper").setDefault("127.0.0.1:2181").help("ZooKeeper connect string (default 127.0.0.1:2181)");
        subparser.addArgument("--base-path").dest("basePath").setDefault(DiscoveryConfig.DEFAULT_BASE_PATH)
                .help("Curator x-discovery base path (default " + DiscoveryConfig.DEFAULT_BASE_PATH + ")");
        subparser.addArgument("--address").help("HOST:PORT of an instance to register; default: start a sample backend on 127.0.0.1");
        subparser.addArgument("name").help("the discovery name (a service's discoveryName, its id by default)");
    }

    @Override
    public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
        String name = namespace.getString("name");
        String address = namespace.getString("address");
        String host;
        int port;
        SampleBackend backend = null;
        if (address == null) {
            backend = SampleBackend.start(name + "-" + UUID.randomUUID().toString().substring(0, 4));
            host = "127.0.0.1";
            port = backend.port();
        } else {
            int colon = address.lastIndexOf(':');
            if (colon <= 0 || !address.substring(colon + 1).matches("[0-9]{1,5}")) {
                throw new IllegalArgumentException("--address must be HOST:PORT, not '" + address + "'");
            }
            host = address.substring(0, colon);
            port = Integer.parseInt(address.substring(colon + 1));
        }
        String zooKeeper = namespace.getString("zookeeper");
        CuratorFramework client = ZooKeeperClients.client(zooKeeper, 15_000, 15_000);
        ServiceDiscovery<DemoPayload> discovery = ServiceDiscoveryBuilder.builder(DemoPayload.class).client(client)
                .basePath(namespace.getString("basePath")).build();
        SampleBackend started = backend;
        // Unregister in the hook itself: the JVM waits for hooks, not for this thread. Without a connection
        // (the demo stopped first) the instance goes with the session; retrying would only delay the exit.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (client.getZookeeperClient().isConnected()) {
                CloseableUtils.closeQuietly(discovery);
            }
            CloseableUtils.closeQuietly(client);
            if (started != null) {
                started.close();
            }
        }, "register-stop"));
        client.start();
        if (!client.blockUntilConnected(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("ZooKeeper at " + zooKeeper + " does not answer (is ./demo.sh running? it prints the connect string)");
        }
        discovery.start();
        discovery.registerService(ServiceInstance.<DemoPayload>builder().name(name).address(host).port(port)
                .payload(new DemoPayload("register-command", backend == null ? address : backend.name())).build());
        System.out.println("registered " + name + " at " + host + ":" + port + " in ZooKeeper " + zooKeeper
                + (backend == null ? "" : " (a sample backend answering as " + backend.name() + ")")
                + "; Ctrl-C unregisters it");
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
