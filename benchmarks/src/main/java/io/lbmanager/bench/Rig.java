package io.lbmanager.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.logging.common.DefaultLoggingFactory;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZooKeeperClients;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Everything real on one host: a ZooKeeper server (ZooKeeperExtension), the whole manager in this JVM
 * (RunningManager, product pipeline defaults), agents with the real nginx
 * (HostAgent), a backend, and a Curator x-discovery client registering instances the way a team does.
 */
final class Rig implements AutoCloseable {

    static final String GROUP = "edge";
    static final Duration LONG = Duration.ofMinutes(10);

    final Path dir;
    final ZooKeeperExtension zookeeper;
    final CuratorFramework client;
    final ServiceDiscovery<String> discovery;
    final RunningManager manager;
    final TinyBackend backend;
    final List<HostAgent> agents = new ArrayList<>();
    /** How long each agent took to be ready when the rig started, with an empty catalog. */
    final List<Long> agentStartMillis = new ArrayList<>();
    /** {@code lua} (the product's default: routed services reach Nginx as routing-table versions, 0 reloads) or {@code files}. */
    final String routing;
    private int services;

    private Rig(int agentCount, String routing) throws Exception {
        this.routing = routing;
        dir = Files.createTempDirectory("lbm-bench-");
        zookeeper = new ZooKeeperExtension().start();
        client = ZooKeeperClients.client(zookeeper.connectString(), 30_000, 10_000);
        client.start();
        discovery = ServiceDiscoveryBuilder.builder(String.class).client(client).basePath("/services").build();
        discovery.start();
        LbManagerConfiguration config = ManagerUnderTest.config(zookeeper.connectString(), GROUP);
        // Measure what users get: the product's pipeline defaults, not the tests' shorter ones.
        config.pipeline.quietMillis = 100;
        config.pipeline.maxDelayMillis = 1000;
        config.pipeline.rolloutTimeoutSeconds = 120;
        config.nginx.routing = routing;
        ((DefaultLoggingFactory) config.getLoggingFactory()).setLevel("WARN");
        manager = RunningManager.start(config);
        quietLogs();
        backend = TinyBackend.answering("bench backend\n");
        Await.await("the group's first config version", LONG, () -> targets().config() > 0);
        for (int i = 1; i <= agentCount; i++) {
            long start = System.nanoTime();
            HostAgent agent = HostAgent.start(zookeeper.connectString(), "/lb-manager", GROUP, "agent-" + i, agentDir(i));
            agents.add(agent);
            agentStartMillis.add(AgentStartScenario.untilReady(agent, this::targets, start));
        }
    }

    static Rig start(int agentCount, String routing) throws Exception {
        return new Rig(agentCount, routing);
    }

    boolean routesByLua() {
        return routing.equals("lua");
    }

    /** Dropwizard resets logging to INFO when the manager starts and stops; the figures need quiet. */
    static void quietLogs() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
    }

    /** Prints the manager's nginx -t time per render, its peer-list publish times and each agent's time per step of an apply (DEBUG lines). */
    static void showStepTimings() {
        for (String logger : List.of("io.lbmanager.rollout.ConfigPipeline", "io.lbmanager.agent.ConfigApplier", "io.lbmanager.peers.PeerPublisher",
                "io.lbmanager.routes.RoutesRollout", "io.lbmanager.routes.RoutesSync", "io.lbmanager.peers.PeerSync",
                "io.lbmanager.agent.ConfigAgent")) {
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(logger)).setLevel(ch.qos.logback.classic.Level.DEBUG);
        }
    }

    Path agentDir(int oneBased) {
        return dir.resolve("agent-" + oneBased);
    }

    String api(String path) {
        return manager.api(path);
    }

    List<Integer> trafficPorts() {
        return agents.stream().map(HostAgent::trafficPort).toList();
    }

    JsonNode status() throws Exception {
        return ManagerUnderTest.json(ManagerUnderTest.get(api("/groups/" + GROUP + "/status")));
    }

    JsonNode config() throws Exception {
        return ManagerUnderTest.json(ManagerUnderTest.get(api("/groups/" + GROUP + "/config")));
    }

    static String serviceBody(String basePath, String options) {
        return "{\"owners\":[\"bench\"],\"basePath\":\"" + basePath + "\",\"groups\":[\"" + GROUP + "\"]"
                + (options == null ? "" : ",\"options\":" + options) + "}";
    }

    void putService(String id, String options) throws Exception {
        HttpResponse<String> response = ManagerUnderTest.send("PUT", api("/services/" + id), serviceBody("/" + id, options));
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("PUT " + id + ": " + response.statusCode() + " " + response.body());
        }
    }

    void deleteService(String id) throws Exception {
        ManagerUnderTest.send("DELETE", api("/services/" + id), null);
    }

    /** PUTs the services from {@code threads} callers at once. */
    void putServices(List<String> ids, int threads) throws Exception {
        AtOnce.forEach(ids, threads, id -> putService(id, null));
    }

    /** Registers one instance of each service, {@code threads} registrations at once. */
    void registerAll(List<String> names, int port, int threads) throws Exception {
        AtOnce.forEach(names, threads, name -> register(name, port));
    }

    ServiceInstance<String> register(String name, int port) throws Exception {
        ServiceInstance<String> instance = ServiceInstance.<String>builder()
                .name(name).address("127.0.0.1").port(port).payload("bench").build();
        discovery.registerService(instance);
        return instance;
    }

    void unregister(ServiceInstance<String> instance) throws Exception {
        discovery.unregisterService(instance);
    }

    long applies(int agentIndex) {
        return agents.get(agentIndex).agent.status().applies();
    }

    List<Long> appliesOfEach() {
        List<Long> all = new ArrayList<>();
        for (int i = 0; i < agents.size(); i++) {
            all.add(applies(i));
        }
        return all;
    }

    /** The most applies (reloads) one agent made since {@code before} ({@link #appliesOfEach}). */
    static long mostAppliesSince(List<Long> before, List<Long> after) {
        return IntStream.range(0, after.size()).mapToLong(i -> after.get(i) - before.get(i)).max().orElse(0);
    }

    /** {@code size} services, each with one instance registered through Curator x-discovery, all served. */
    void populate(int size) throws Exception {
        List<String> ids = IntStream.range(0, size).mapToObj(Catalogs::serviceId).toList();
        registerAll(ids, backend.port(), 8);
        putServices(ids, 8);
        putService("probe", null);
        putService("churn", null);
        register("churn", backend.port());
        String last = ids.isEmpty() ? "churn" : ids.get(ids.size() - 1);
        Await.await("every service published and served", LONG,
                () -> publishedUpstreams(last) == 1 && publishedUpstreams("churn") == 1 && settled());
        untilEveryNginx(System.nanoTime(), "/" + last + "/x", s -> s == 200, LONG);
        services = size;
    }

    /** How many services {@link #populate} defined. */
    int services() {
        return services;
    }

    /** No rollout in flight, live == target, and every agent serves the target. */
    boolean settled() throws Exception {
        JsonNode status = status();
        long target = status.path("target").path("version").asLong(-1);
        if (target < 0 || !status.path("rollout").isNull() && !status.path("rollout").isMissingNode()) {
            return false;
        }
        if (status.path("live").path("version").asLong(-2) != target) {
            return false;
        }
        if (!agents.stream().allMatch(a -> a.agent.status().runningVersion() == target)) {
            return false;
        }
        return routesSettled(status.path("routes"));
    }

    /** No routing table, or no routes rollout in flight, routes live == target, and every agent's Nginx holds it. */
    private boolean routesSettled(JsonNode routes) {
        if (routes.isMissingNode() || routes.isNull()) {
            return true;
        }
        long target = routes.path("target").path("version").asLong(-1);
        if (!routes.path("rollout").isMissingNode() && !routes.path("rollout").isNull()
                || routes.path("live").path("version").asLong(-2) != target) {
            return false;
        }
        return agents.stream().allMatch(a -> a.agent.status().routesVersion() == target);
    }

    void awaitSettled() throws Exception {
        Thread.sleep(250); // longer than the quiet period, so a change just made has been picked up
        Await.await("the group settled", LONG, this::settled);
    }

    /**
     * Waits until the group's target config has no file of any of these services: their removal has
     * been rendered and published, not only made (the settled check alone cannot see a render in progress).
     */
    void awaitUnpublished(List<String> serviceIds) throws Exception {
        if (routesByLua()) {
            long start = System.nanoTime();
            for (String id : serviceIds) {
                untilEveryNginx(start, "/" + id + "/x", s -> s == 404, LONG);
            }
        }
        java.util.Set<String> files = serviceIds.stream().flatMap(id -> java.util.stream.Stream.of(
                "upstreams/" + id + ".conf", "locations/" + id + ".conf")).collect(java.util.stream.Collectors.toSet());
        Await.await(serviceIds.size() + " removed services unpublished", LONG, () -> {
            java.util.Iterator<String> names = config().path("files").fieldNames();
            while (names.hasNext()) {
                if (files.contains(names.next())) {
                    return false;
                }
            }
            return true;
        });
    }

    long targetVersion() throws Exception {
        return status().path("target").path("version").asLong(-1);
    }

    /** The group's config and routes target versions (routes 0 while it has no routing table). */
    record Targets(long config, long routes) {
        boolean movedSince(Targets before) {
            return config > before.config || routes > before.routes;
        }
    }

    Targets targets() throws Exception {
        JsonNode status = status();
        return new Targets(status.path("target").path("version").asLong(-1), status.path("routes").path("target").path("version").asLong(0));
    }

    /**
     * How many upstreams the manager published for the service: its peer list when the Lua balancer
     * serves it, else the {@code server} lines of the group's published config.
     */
    int publishedUpstreams(String serviceId) throws Exception {
        var stored = io.lbmanager.peers.PeerBucket.readOne(client, new io.lbmanager.zk.ZkLayout(io.lbmanager.zk.ZkLayout.DEFAULT_ROOT), GROUP, serviceId);
        if (stored.isPresent()) {
            return stored.get().list().peers().size();
        }
        String upstream = config().path("files").path("upstreams/" + serviceId + ".conf").asText("");
        return (int) upstream.lines().filter(l -> l.strip().startsWith("server ")).count();
    }

    /**
     * Milliseconds from {@code startNanos} until each agent's Nginx first answered {@code path}
     * with a status {@code wanted} accepts (polled every 2 ms on fresh connections).
     */
    long[] untilEveryNginx(long startNanos, String path, IntPredicate wanted, Duration timeout) throws InterruptedException {
        long[] at = new long[agents.size()];
        java.util.Arrays.fill(at, -1);
        int remaining = agents.size();
        long deadline = startNanos + timeout.toNanos();
        while (remaining > 0) {
            for (int i = 0; i < agents.size(); i++) {
                if (at[i] < 0 && wanted.test(Http.tryGet(agents.get(i).trafficPort(), path).status())) {
                    at[i] = (System.nanoTime() - startNanos) / 1_000_000;
                    remaining--;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not every Nginx answered " + path + " as wanted within " + timeout);
            }
            Thread.sleep(2);
        }
        return at;
    }

    /** Milliseconds until every path answers 200 on every Nginx. */
    long untilAllServed(long startNanos, List<String> paths, Duration timeout) throws InterruptedException {
        List<List<String>> pending = new ArrayList<>();
        for (int i = 0; i < agents.size(); i++) {
            pending.add(new ArrayList<>(paths));
        }
        long deadline = startNanos + timeout.toNanos();
        while (pending.stream().anyMatch(p -> !p.isEmpty())) {
            for (int i = 0; i < agents.size(); i++) {
                Iterator<String> it = pending.get(i).iterator();
                int port = agents.get(i).trafficPort();
                while (it.hasNext()) {
                    if (Http.tryGet(port, it.next()).status() == 200) {
                        it.remove();
                    } else {
                        break; // the rest are in the same version: check again next round
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not all " + paths.size() + " paths served within " + timeout);
            }
            Thread.sleep(2);
        }
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    @Override
    public void close() throws Exception {
        for (HostAgent agent : agents) {
            agent.close();
        }
        manager.close();
        quietLogs();
        backend.close();
        discovery.close();
        client.close();
        zookeeper.close();
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception ignored) {
            // temp files; best effort
        }
    }
}
