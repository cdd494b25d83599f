package io.lbmanager.bench;

import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.TestTokens;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.ServiceInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Starts the manager as its own JVM ({@code java -jar lb-manager.jar server}) against a real
 * ZooKeeper, measures heap after a full GC ({@code jcmd PID GC.run}, then the MemoryMXBean gauge
 * {@code jvm.memory.heap.used} from the admin port) and VmRSS with an empty catalog, loads the
 * catalog (services defined over the API, {@link #UPSTREAMS_PER_SERVICE} x-discovery instances each),
 * waits until the group's config holding all of them is published and the manager sees every
 * instance, and measures again.
 */
final class HeapProbe {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    record Result(long emptyHeap, long emptyRss, long fullHeap, long fullRss, long publishMillis) {
        long heapBytes(int services) {
            return services == 0 ? emptyHeap : fullHeap;
        }

        long heapMb(int services) {
            return heapBytes(services) / (1024 * 1024);
        }

        long rssMb(int services) {
            return (services == 0 ? emptyRss : fullRss) / (1024 * 1024);
        }
    }

    /** The ratio: 10,000 services, 100,000 upstreams. */
    static final int UPSTREAMS_PER_SERVICE = 10;

    private HeapProbe() {
    }

    /**
     * {@link #UPSTREAMS_PER_SERVICE} x-discovery instances per service, registered from 8 threads as
     * permanent instances (persistent nodes): at 500,000 ephemeral instances on one session, a session
     * lost under the load took most of them with it (the manager then saw 180,521), and this probe
     * measures the manager's heap, not the registrants' sessions.
     */
    private static void registerInstances(ServiceDiscovery<String> discovery, int services) throws Exception {
        AtOnce.forEach(Catalogs.serviceIds(services), 8, id -> {
            int service = Catalogs.indexOf(id);
            for (int j = 0; j < UPSTREAMS_PER_SERVICE; j++) {
                discovery.registerService(ServiceInstance.<String>builder().name(id).serviceType(ServiceType.PERMANENT)
                        .address("10." + (1 + j) + "." + (service / 250 % 250) + "." + (service % 250 + 1))
                        .port(8080).payload("bench").build());
            }
        });
    }

    static HttpResponse<String> send(String method, String url, String body, Duration timeout) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header("Authorization", TestTokens.bearer(TestTokens.ADMIN));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Result measure(Path managerJar, Path templates, int services, Consumer<String> log) throws Exception {
        if (!Files.isRegularFile(managerJar)) {
            throw new IllegalStateException(managerJar.toAbsolutePath() + " is missing: build lb-manager first (mvn -pl lb-manager package)");
        }
        Path dir = Files.createTempDirectory("lbm-heap-");
        int appPort = Http.freePort();
        int adminPort = Http.freePort();
        try (ZooKeeperExtension zookeeper = new ZooKeeperExtension().start()) {
            Path yml = dir.resolve("manager.yml");
            Files.writeString(yml, String.join("\n",
                    "server:",
                    "  applicationConnectors: [{type: http, bindHost: 127.0.0.1, port: " + appPort + "}]",
                    "  adminConnectors: [{type: http, bindHost: 127.0.0.1, port: " + adminPort + "}]",
                    "zookeeper:",
                    "  connectString: \"" + zookeeper.connectString() + "\"",
                    "nginx:",
                    "  templatesDir: \"" + templates.toAbsolutePath().normalize() + "\"",
                    "  validateTimeoutSeconds: 120",
                    "groups: [edge]",
                    "api:",
                    "  adminTokenFile: \"" + TestTokens.adminTokenFile() + "\"",
                    "logging:",
                    "  level: WARN",
                    ""), StandardCharsets.UTF_8);
            Process manager = new ProcessBuilder("java", "-jar", managerJar.toAbsolutePath().toString(), "server", yml.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("manager.log").toFile()).start();
            CuratorFramework client = io.lbmanager.zk.ZooKeeperClients.client(zookeeper.connectString(), 60_000, 10_000);
            client.start();
            ServiceDiscovery<String> discovery = ServiceDiscoveryBuilder.builder(String.class).client(client).basePath("/services").build();
            discovery.start();
            try {
                String api = "http://127.0.0.1:" + appPort + "/api/v1";
                Await.await("the manager answers", Duration.ofMinutes(2),
                        () -> send("GET", api + "/groups", null, Duration.ofSeconds(5)).statusCode() == 200);
                Thread.sleep(2_000);
                long emptyHeap = heapAfterGc(manager.pid(), adminPort);
                long emptyRss = rss(manager.pid());

                long start = System.nanoTime();
                AtOnce.forEach(Catalogs.serviceIds(services), 8, id -> {
                    HttpResponse<String> r = send("PUT", api + "/services/" + id, Rig.serviceBody("/" + id, null), Duration.ofSeconds(60));
                    if (r.statusCode() / 100 != 2) {
                        throw new IllegalStateException("PUT " + id + ": " + r.statusCode() + " " + r.body());
                    }
                });
                registerInstances(discovery, services);
                log.accept("heap: " + services + " services defined, " + services * UPSTREAMS_PER_SERVICE
                        + " instances registered; waiting for the published config and the manager's view of every instance");
                // The last service in the published config or routing table (Lua-routed services have no files).
                String lastRouting = api + "/services/" + Catalogs.serviceId(services - 1) + "/routing";
                Await.await("the config or routing table with every service published", Duration.ofMinutes(20), () -> {
                    HttpResponse<String> r = send("GET", lastRouting, null, Duration.ofSeconds(60));
                    if (r.statusCode() != 200) {
                        return false;
                    }
                    String state = ManagerUnderTest.JSON.readTree(r.body()).path("groups").path(0).path("state").asText("");
                    return !state.isEmpty() && !state.equals("NOT_PUBLISHED");
                });
                for (int i : new int[] {0, services / 2, services - 1}) {
                    String statusUrl = api + "/services/" + Catalogs.serviceId(i) + "/status";
                    Await.await("the manager sees every instance of " + Catalogs.serviceId(i), Duration.ofMinutes(20), () -> {
                        HttpResponse<String> r = send("GET", statusUrl, null, Duration.ofSeconds(60));
                        return r.statusCode() == 200
                                && ManagerUnderTest.JSON.readTree(r.body()).path("groups").path(0).path("upstreams").size() == UPSTREAMS_PER_SERVICE;
                    });
                }
                long publishMillis = (System.nanoTime() - start) / 1_000_000;
                Thread.sleep(2_000);
                long fullHeap = heapAfterGc(manager.pid(), adminPort);
                long fullRss = rss(manager.pid());
                return new Result(emptyHeap, emptyRss, fullHeap, fullRss, publishMillis);
            } finally {
                discovery.close();
                client.close();
                manager.destroy();
                if (!manager.waitFor(20, TimeUnit.SECONDS)) {
                    manager.destroyForcibly();
                }
            }
        } finally {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long heapAfterGc(long pid, int adminPort) throws Exception {
        Process gc = new ProcessBuilder("jcmd", String.valueOf(pid), "GC.run").redirectErrorStream(true).start();
        gc.getInputStream().readAllBytes();
        gc.waitFor(60, TimeUnit.SECONDS);
        Thread.sleep(500);
        HttpResponse<String> metrics = send("GET", "http://127.0.0.1:" + adminPort + "/metrics", null, Duration.ofSeconds(30));
        return ManagerUnderTest.JSON.readTree(metrics.body()).path("gauges").path("jvm.memory.heap.used").path("value").asLong(-1);
    }

    private static long rss(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
