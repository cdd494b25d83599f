package io.lbmanager.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The parts of one fault-matrix row, all real: ZooKeeper (one server, or a 3-server ensemble), two
 * managers in their own JVMs ({@link ManagerProcess}, so they can be killed), a group of Nginx with
 * their agents on this host ({@link HostAgent}), backends registered by a service team's Curator
 * x-discovery client with a session of its own (services {@code shop} and {@code cart} with 2
 * instances, {@code solo} with 1), and bounded loopback load through every Nginx that says it is
 * ready, as a front load balancer would send it. A row injects its fault and reads back what the
 * matrix records ({@link FaultRow}): failed requests, registrations lost, time to recover, what the
 * operator sees.
 */
public final class FaultBench implements AutoCloseable {

    public static final String GROUP = "edge";
    public static final String DISCOVERY_PATH = "/services";
    public static final ZkLayout LAYOUT = new ZkLayout("/lb-manager");
    /** The service the load goes to: 2 instances. */
    public static final String LOADED_PATH = "/shop/x";
    private static final Duration WITHIN = Duration.ofSeconds(60);
    private static final Duration LOAD_REFRESH = Duration.ofMillis(200);

    private final Path dir;
    private final ZooKeeperExtension zk;
    private final Path templates;
    private final List<String> managerYaml;
    private final String nginxBinary;
    private final List<ManagerProcess> managers = new CopyOnWriteArrayList<>();
    private final List<HostAgent> agents = new CopyOnWriteArrayList<>();
    /** Agents the load does not send to, by id. */
    private final Set<String> drained = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final List<TinyBackend> backends = new CopyOnWriteArrayList<>();
    private final Map<String, ServiceInstance<String>> registered = new TreeMap<>();
    private final CuratorFramework registrantClient;
    private final ServiceDiscovery<String> registrant;
    private int managersStarted;

    /** How a bench is built; {@link #start()} builds it. */
    public static final class Builder {
        private final Path dir;
        private int zooKeeperServers = 1;
        private int nginx = 2;
        private String nginxBinary = HostAgent.NGINX;
        private final List<String> managerYaml = new ArrayList<>();

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** A 3-server ZooKeeper ensemble instead of one server. */
        public Builder ensemble() {
            this.zooKeeperServers = 3;
            return this;
        }

        public Builder nginx(int count) {
            this.nginx = count;
            return this;
        }

        /** Every agent runs this nginx (a {@link NginxWrappers} script, say). */
        public Builder nginxBinary(Path binary) {
            this.nginxBinary = binary.toString();
            return this;
        }

        /** More lines of the managers' configuration files (e.g. {@code "pipeline:"}, {@code "  discoveryHoldMaxSeconds: 20"}). */
        public Builder managerYaml(String... lines) {
            managerYaml.addAll(List.of(lines));
            return this;
        }

        public FaultBench start() throws Exception {
            ZooKeeperExtension zk = zooKeeperServers > 1 ? ZooKeeperExtension.ensemble(zooKeeperServers)
                    : new ZooKeeperExtension().tickTimeMillis(500);
            zk.start();
            FaultBench bench = null;
            try {
                bench = new FaultBench(dir, zk, ManagerUnderTest.templatesDir(), managerYaml, nginxBinary);
                bench.startEverything(nginx);
                return bench;
            } catch (Exception | AssertionError e) {
                if (bench != null) {
                    bench.close();
                } else {
                    zk.close();
                }
                throw e;
            }
        }
    }

    public static Builder at(Path dir) {
        return new Builder(dir);
    }

    private FaultBench(Path dir, ZooKeeperExtension zk, Path templates, List<String> managerYaml, String nginxBinary) {
        this.dir = dir;
        this.zk = zk;
        this.templates = templates;
        this.managerYaml = List.copyOf(managerYaml);
        this.nginxBinary = nginxBinary;
        registrantClient = CuratorFrameworkFactory.newClient(zk.connectString(), 10_000, 5_000, new RetryNTimes(Integer.MAX_VALUE, 250));
        registrantClient.start();
        registrant = ServiceDiscoveryBuilder.builder(String.class).client(registrantClient).basePath(DISCOVERY_PATH).build();
    }

    private void startEverything(int nginx) throws Exception {
        if (!registrantClient.blockUntilConnected(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the registrant could not connect to " + zk.connectString());
        }
        registrant.start();
        var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return startManager();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        startManager();
        second.join();
        for (String service : List.of("shop", "cart", "solo")) {
            defineService(service);
        }
        register("shop", "shop-1");
        register("shop", "shop-2");
        register("cart", "cart-1");
        register("cart", "cart-2");
        register("solo", "solo-1");
        for (int i = 1; i <= nginx; i++) {
            startAgent("nginx-" + i);
        }
        for (HostAgent agent : agents) {
            awaitServes(agent, registeredBodies(), WITHIN);
        }
    }

    // ---- the parts

    public ZooKeeperExtension zk() {
        return zk;
    }

    public Path dir() {
        return dir;
    }

    public List<ManagerProcess> managers() {
        return List.copyOf(managers);
    }

    /** Starts one more manager with the bench's templates. */
    public ManagerProcess startManager() throws Exception {
        return startManager(templates);
    }

    public ManagerProcess startManager(Path templates) throws Exception {
        int number;
        synchronized (this) {
            number = ++managersStarted;
        }
        ManagerProcess manager = ManagerProcess.start(dir.resolve("manager-" + number), zk.connectString(), templates, GROUP, managerYaml);
        managers.add(manager);
        return manager;
    }

    private synchronized int managersStartedSoFar() {
        return managersStarted;
    }

    /** kill -9. */
    public void kill(ManagerProcess manager) throws InterruptedException {
        manager.kill();
        managers.remove(manager);
    }

    public ManagerProcess anyManager() {
        return managers.stream().filter(ManagerProcess::alive).findFirst().orElseThrow(() -> new IllegalStateException("no manager runs"));
    }

    /** The manager that says it leads, waiting for one. */
    public ManagerProcess leader() throws Exception {
        return Await.await("a manager leads", WITHIN, () -> managers.stream().filter(FaultBench::leads).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
    }

    public static boolean leads(ManagerProcess manager) {
        try {
            return manager.alive() && json(manager.api("/manager")).path("leader").asBoolean();
        } catch (Exception e) {
            return false;
        }
    }

    /** The ZooKeeper session of a manager, read from its node in the leader latch (which names its port). */
    public long sessionOf(ManagerProcess manager) throws Exception {
        CuratorFramework client = zk.curator();
        for (String child : client.getChildren().forPath(LAYOUT.leader())) {
            String path = LAYOUT.leader() + "/" + child;
            String id = new String(client.getData().forPath(path), StandardCharsets.UTF_8);
            if (id.contains(":" + manager.port() + ":")) {
                return zk.sessionOwning(path);
            }
        }
        throw new IllegalStateException("no leader latch node of the manager on port " + manager.port());
    }

    public List<HostAgent> agents() {
        return List.copyOf(agents);
    }

    public HostAgent startAgent(String agentId) throws Exception {
        HostAgent agent = HostAgent.start(zk.connectString(), LAYOUT.root(), GROUP, agentId, dir.resolve(agentId), nginxBinary);
        agents.add(agent);
        return agent;
    }

    /**
     * An agent with these settings in place of {@code before}: the same ports and directory, as a restarted
     * container. The load stops sending to it first (as a front load balancer drained of it does), and sends
     * to it again once its {@code /ready} says so.
     */
    public HostAgent restartAgent(HostAgent before) throws Exception {
        drained.add(before.settings.agentId());
        Thread.sleep(LOAD_REFRESH.toMillis() * 3);
        stopAgent(before);
        drained.remove(before.settings.agentId());
        HostAgent again = HostAgent.startWith(before.settings);
        agents.add(again);
        return again;
    }

    public void stopAgent(HostAgent agent) {
        agents.remove(agent);
        agent.close();
    }

    // ---- registrations

    /** A backend answering {@code body}, closed with the bench, for a registrant of the row's own. */
    public TinyBackend backend(String body) {
        TinyBackend backend = TinyBackend.answering(body);
        backends.add(backend);
        return backend;
    }

    /** Creates (or replaces) a service of the group with base path {@code /id} through a running manager. */
    public void defineService(String id) throws Exception {
        defineService(id, "{}");
    }

    /** The same with these options: e.g. a new option profile, so the change is a config version and a reload, not a route. */
    public void defineService(String id, String optionsJson) throws Exception {
        int status = ManagerUnderTest.send("PUT", anyManager().api("/services/" + id),
                "{\"owners\":[\"" + id + "\"],\"basePath\":\"/" + id + "\",\"groups\":[\"" + GROUP + "\"],\"options\":"
                        + optionsJson + "}").statusCode();
        if (status != 201 && status != 200) {
            throw new IllegalStateException("PUT /services/" + id + " answered " + status);
        }
    }

    /** Starts a backend answering {@code body} and registers it as an instance of {@code service}. */
    public ServiceInstance<String> register(String service, String body) throws Exception {
        TinyBackend backend = backend(body);
        ServiceInstance<String> instance = ServiceInstance.<String>builder().name(service).address("127.0.0.1").port(backend.port())
                .payload(body).build();
        registrant.registerService(instance);
        synchronized (registered) {
            registered.put(body, instance);
        }
        return instance;
    }

    public void deregister(ServiceInstance<String> instance) throws Exception {
        synchronized (registered) {
            registered.remove(instance.getPayload());
        }
        registrant.unregisterService(instance);
    }

    /** Registers again, with the same ids, every instance the registrant holds (as a team's client does after a wipe). */
    public void registerAllAgain() throws Exception {
        for (ServiceInstance<String> instance : registeredInstances()) {
            registrant.registerService(instance);
        }
    }

    public CuratorFramework registrantClient() {
        return registrantClient;
    }

    private List<ServiceInstance<String>> registeredInstances() {
        synchronized (registered) {
            return List.copyOf(registered.values());
        }
    }

    /** Service name to the bodies of its registered instances. */
    private Map<String, Set<String>> registeredBodies() {
        Map<String, Set<String>> bodies = new TreeMap<>();
        for (ServiceInstance<String> instance : registeredInstances()) {
            bodies.computeIfAbsent(instance.getName(), n -> new TreeSet<>()).add(instance.getPayload());
        }
        return bodies;
    }

    // ---- traffic

    /** Load through every Nginx whose agent's {@code /ready} answers 200 (re-read every 200 ms) and is not drained, bounded to 10 minutes. */
    public Load startLoad() {
        return Load.toRefreshed(LOAD_REFRESH, () -> agents.stream()
                        .filter(agent -> !drained.contains(agent.settings.agentId()) && Http.tryGet(agent.adminPort(), "/ready").status() == 200)
                        .map(agent -> new Load.Target(agent.trafficPort(), agent.settings.agentId())).toList())
                .path(LOADED_PATH).senders(2).everyMillis(10).maxRequests(200_000).maxTime(Duration.ofMinutes(10)).start();
    }

    /** {@link #startLoad()}, once requests flow through every Nginx. */
    public Load loadFlowing() throws Exception {
        Load load = startLoad();
        Await.await("load flows through every Nginx", Duration.ofSeconds(30), () -> load.sent() > 100
                && load.perTarget().size() == agents.size());
        return load;
    }

    /**
     * Stops the load, reads what was lost, reports the row ({@link FaultRow#report}) and checks the matrix's
     * target: no failed request, no registration lost.
     */
    public void finish(String fault, Load load, long recoveryMillis, String recoveredWhen, String operatorSees) throws Exception {
        load.stop();
        List<String> lost = registrationsLost();
        new FaultRow(fault, load.sent(), load.failed(), FaultRow.failedWhere(load), lost.size(), recoveryMillis, recoveredWhen,
                operatorSees).report();
        org.assertj.core.api.Assertions.assertThat(load.failed()).as("failed requests: %s", load.firstFailures()).isZero();
        org.assertj.core.api.Assertions.assertThat(lost).as("registrations lost").isEmpty();
    }

    /** The bodies {@code agent}'s Nginx answers for {@code /service/x} in 20 requests (statuses other than 200 as "status N"). */
    public static Set<String> answers(HostAgent agent, String service) {
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < 20; i++) {
            Http.Response response = Http.tryGet(agent.trafficPort(), "/" + service + "/x");
            seen.add(response.status() == 200 ? response.body() : "status " + response.status());
        }
        return seen;
    }

    /** Until {@code agent}'s Nginx answers with exactly the registered bodies of each service. */
    public static void awaitServes(HostAgent agent, Map<String, Set<String>> bodies, Duration timeout) throws Exception {
        for (Map.Entry<String, Set<String>> service : bodies.entrySet()) {
            Await.await(agent.settings.agentId() + " serves " + service.getKey() + " from " + service.getValue(), timeout,
                    () -> answers(agent, service.getKey()), service.getValue()::equals);
        }
    }

    /** Until every Nginx serves what is registered now. */
    public void awaitEveryNginxServesWhatIsRegistered(Duration timeout) throws Exception {
        for (HostAgent agent : agents) {
            awaitServes(agent, registeredBodies(), timeout);
        }
    }

    /**
     * The time to recover as the matrix counts it: from {@code since} until a change made now (a new
     * instance of {@code shop}) is served by every Nginx of the group.
     */
    public long millisUntilANewRegistrationIsServed(Instant since, String body, Duration timeout) throws Exception {
        register("shop", body);
        awaitEveryNginxServesWhatIsRegistered(timeout);
        return Duration.between(since, Instant.now()).toMillis();
    }

    public static long millisUntil(Instant since, String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        Await.await(what, timeout, condition);
        return Duration.between(since, Instant.now()).toMillis();
    }

    /**
     * Registrations lost: instances the registrant still holds whose discovery node is gone, or that
     * some ready Nginx does not route to.
     */
    public List<String> registrationsLost() throws Exception {
        List<String> lost = new ArrayList<>();
        for (ServiceInstance<String> instance : registeredInstances()) {
            String node = DISCOVERY_PATH + "/" + instance.getName() + "/" + instance.getId();
            if (!zk.exists(node)) {
                lost.add(instance.getPayload() + ": no node " + node);
                continue;
            }
            for (HostAgent agent : agents) {
                if (Http.tryGet(agent.adminPort(), "/ready").status() == 200
                        && !answers(agent, instance.getName()).contains(instance.getPayload())) {
                    lost.add(instance.getPayload() + ": not routed by " + agent.settings.agentId());
                }
            }
        }
        return lost;
    }

    // ---- what the operator sees

    /** The group's status as any running manager reports it, in a line: leader, render state, holds, agents. */
    public String operatorView() {
        try {
            return OperatorView.groupStatus(anyManager(), GROUP);
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    /** {@link OperatorView#managerAnswers} of every running manager. */
    public String managerAnswers() {
        return OperatorView.managerAnswers(managers, GROUP);
    }

    /** Held services and their reasons, as the leader's last render reported them (empty when none or no answer). */
    public JsonNode held() {
        try {
            return json(leader().api("/groups/" + GROUP + "/status")).path("status").path("held");
        } catch (Exception | AssertionError e) {
            return ManagerUnderTest.JSON.createObjectNode();
        }
    }

    public static JsonNode json(String url) throws Exception {
        return ManagerUnderTest.json(ManagerUnderTest.get(url));
    }

    @Override
    public void close() throws Exception {
        for (HostAgent agent : agents) {
            agent.close();
        }
        agents.clear();
        for (ManagerProcess manager : managers) {
            manager.close();
        }
        managers.clear();
        closeQuietly(registrant);
        registrantClient.close();
        backends.forEach(TinyBackend::close);
        zk.close();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // the registrant's session may be gone with the fault
        }
    }

    /** Log lines containing {@code text} of every manager the bench started, killed ones too. */
    public List<String> managerLogLines(String text) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= managersStartedSoFar(); i++) {
            Path log = dir.resolve("manager-" + i).resolve("manager.log");
            if (Files.exists(log)) {
                Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(line -> line.contains(text)).forEach(lines::add);
            }
        }
        return lines;
    }
}
