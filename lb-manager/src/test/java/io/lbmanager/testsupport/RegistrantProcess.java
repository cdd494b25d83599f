package io.lbmanager.testsupport;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A service team's program in its own JVM: registers one instance with Curator's ServiceDiscovery
 * (with a payload class of its own) and stays up until killed, so tests can kill it for real and
 * watch its ZooKeeper session expire.
 */
public final class RegistrantProcess implements AutoCloseable {

    /** The registrant's own payload type; lb-manager never deserializes it. */
    public static final class TeamPayload {
        public String team = "orders-team";
        public String description = "registered by a service team";
    }

    private final Process process;

    private RegistrantProcess(Process process) {
        this.process = process;
    }

    /** Starts the registrant and waits until it says it registered. */
    public static RegistrantProcess start(String connectString, String basePath, String name, String address, int port,
                                          int sessionTimeoutMs) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                RegistrantProcess.class.getName(), connectString, basePath, name, address, Integer.toString(port),
                Integer.toString(sessionTimeoutMs)))
                .redirectErrorStream(true)
                .start();
        var reader = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.startsWith("REGISTERED")) {
                Thread drain = new Thread(() -> reader.lines().forEach(l -> { }));
                drain.setDaemon(true);
                drain.start();
                return new RegistrantProcess(process);
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("registrant process did not register");
    }

    /** SIGKILL: no unregister, no session close; the server expires the session after its timeout. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    public static void main(String[] args) throws Exception {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(args[0])
                .sessionTimeoutMs(Integer.parseInt(args[5]))
                .retryPolicy(new RetryOneTime(200))
                .build();
        client.start();
        client.blockUntilConnected();
        ServiceDiscovery<TeamPayload> discovery = ServiceDiscoveryBuilder.builder(TeamPayload.class)
                .client(client)
                .basePath(args[1])
                .serializer(new JsonInstanceSerializer<>(TeamPayload.class))
                .build();
        discovery.start();
        discovery.registerService(ServiceInstance.<TeamPayload>builder()
                .name(args[2])
                .address(args[3])
                .port(Integer.parseInt(args[4]))
                .payload(new TeamPayload())
                .build());
        System.out.println("REGISTERED");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
