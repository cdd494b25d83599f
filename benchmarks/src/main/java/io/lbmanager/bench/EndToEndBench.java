package io.lbmanager.bench;

import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.Load;
import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.render.ConfigBundle;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.validate.NginxValidator;
import io.lbmanager.validate.ValidationResult;
import io.lbmanager.validate.ValidationScope;
import org.apache.curator.x.discovery.ServiceInstance;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * End-to-end figures of lb-manager as it is: a real ZooKeeper, the manager, two agents with the
 * real nginx on this host, real HTTP on 127.0.0.1. Every config change is render + nginx -t +
 * publish + every agent writes a directory, nginx -t, reload. Prints a markdown table (and writes
 * it to {@code --out}); see BENCHMARKS.md for what each row means.
 *
 * <pre>
 * java -Dlbm.templates=templates -cp benchmarks/target/benchmarks.jar io.lbmanager.bench.EndToEndBench \
 *     [--sizes 100,1000|none] [--runs 20] [--changes 100] [--discovery-changes 1000] [--validate-calls 50] \
 *     [--callers 20] [--heap-services 10000] [--manager-jar lb-manager/target/lb-manager.jar] [--out FILE] \
 *     [--scenarios floor,propagation,new-service,fifty,validate,reloads,load,generations,upgrade]
 *     [--reloads-with-connections 1000] [--stream-seconds 60] [--image lb-manager/nginx:dev] [--step-timings true]
 * </pre>
 * {@code --scenarios} runs only the named scenarios at each size (default: all of them). The
 * generations scenario needs only the host's nginx; the upgrade scenario needs Docker and the
 * image (else it prints a SKIPPED line). {@code --step-timings true} prints the manager's nginx -t
 * time per render, its peer-list publish times and each agent's step times per apply.
 */
public final class EndToEndBench {

    /** The scenarios of one size, in the order they run. */

    /**
     * @param reloadsWithConnections reloads of the generations scenario
     * @param streamSeconds          how long each slow response of the generations scenario lasts
     * @param image                  the Nginx + agent image of the upgrade scenario
     */
    public record Options(List<Integer> sizes, int runs, int changes, int discoveryChanges, int validateCalls,
                          int callers, int heapServices, Path managerJar, Path out, Set<String> scenarios,
                          int reloadsWithConnections, int streamSeconds, String image, boolean stepTimings) {

        /** The scenarios that share one Rig (ZooKeeper, manager, two agents on this host) per size. */
        public static final Set<String> RIG_SCENARIOS = Set.of("floor", "propagation", "new-service", "fifty", "validate", "reloads", "load");
        public static final Set<String> ALL_SCENARIOS = Set.of("floor", "propagation", "new-service", "fifty", "validate", "reloads", "load",
                "generations", "upgrade");

        public Options {
            if (!ALL_SCENARIOS.containsAll(scenarios)) {
                throw new IllegalArgumentException("unknown scenario in " + scenarios + "; known: " + new TreeSet<>(ALL_SCENARIOS));
            }
            scenarios = Set.copyOf(scenarios);
        }

        public static Options full() {
            return new Options(List.of(100, 1000), 20, 100, 1000, 50, 20, 10_000, defaultManagerJar(), null, ALL_SCENARIOS,
                    1000, 60, io.lbmanager.testsupport.DockerSupport.image(), false);
        }


        static Path defaultManagerJar() {
            Path fromModule = Path.of("..", "lb-manager", "target", "lb-manager.jar");
            return Files.isRegularFile(fromModule) ? fromModule : Path.of("lb-manager", "target", "lb-manager.jar");
        }
    }

    private final Options options;
    private final List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    private final Consumer<String> log;

    public EndToEndBench(Options options, Consumer<String> log) {
        this.options = options;
        this.log = log;
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.full();
        List<Integer> sizes = o.sizes();
        int runs = o.runs(), changes = o.changes(), discoveryChanges = o.discoveryChanges(), validateCalls = o.validateCalls(),
                callers = o.callers(), heap = o.heapServices();
        Path jar = o.managerJar(), out = null;
        Set<String> scenarios = o.scenarios();
        int reloadsWithConnections = o.reloadsWithConnections(), streamSeconds = o.streamSeconds();
        String image = o.image();
        boolean stepTimings = false;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--sizes" -> sizes = v.equals("none") ? List.of() : java.util.Arrays.stream(v.split(",")).map(String::strip).map(Integer::parseInt).toList();
                case "--runs" -> runs = Integer.parseInt(v);
                case "--changes" -> changes = Integer.parseInt(v);
                case "--discovery-changes" -> discoveryChanges = Integer.parseInt(v);
                case "--validate-calls" -> validateCalls = Integer.parseInt(v);
                case "--callers" -> callers = Integer.parseInt(v);
                case "--heap-services" -> heap = Integer.parseInt(v);
                case "--manager-jar" -> jar = Path.of(v);
                case "--out" -> out = Path.of(v);
                case "--scenarios" -> scenarios = Set.of(v.split(","));
                case "--reloads-with-connections" -> reloadsWithConnections = Integer.parseInt(v);
                case "--stream-seconds" -> streamSeconds = Integer.parseInt(v);
                case "--image" -> image = v;
                case "--step-timings" -> stepTimings = Boolean.parseBoolean(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        EndToEndBench bench = new EndToEndBench(
                new Options(sizes, runs, changes, discoveryChanges, validateCalls, callers, heap, jar, out, scenarios,
                        reloadsWithConnections, streamSeconds, image, stepTimings),
                line -> System.out.println("[bench " + Instant.now() + "] " + line));
        try {
            List<Row> rows = bench.runAll();
            String table = table(rows);
            System.out.println(table);
            if (out != null) {
                Files.writeString(out, table, StandardCharsets.UTF_8);
            }
        } catch (Exception | Error e) {
            e.printStackTrace();
            System.exit(1); // the manager's and ZooKeeper's threads would keep the JVM alive
        }
        System.exit(0);
    }

    public static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder(Row.HEADER).append('\n');
        rows.forEach(r -> sb.append(r.markdown()).append('\n'));
        return sb.toString();
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    public List<Row> runAll() throws Exception {
        for (int size : options.sizes()) {
            runAt(size);
        }
        if (options.heapServices() > 0) {
            heap(options.heapServices());
        }
        return rows();
    }

    private void add(Row row) {
        rows.add(row);
        log.accept(row.markdown());
    }

    void runAt(int size) throws Exception {
        String n = String.format(Locale.ROOT, "%,d services", size);
        if (options.scenarios().stream().anyMatch(Options.RIG_SCENARIOS::contains)) {
            runWithRig(size, n);
        }
        if (runs("generations")) {
            new GenerationsScenario(options, this::add, log).run(size, n);
        }
        if (runs("upgrade")) {
            new UpgradeScenario(options.image(), this::add, log).run(size, n);
        }
    }

    private void runWithRig(int size, String n) throws Exception {
        log.accept("=== " + n + ": starting ZooKeeper, manager, 2 agents with nginx");
        try (Rig rig = Rig.start(2)) {
            if (options.stepTimings()) {
                Rig.showStepTimings();
            }
            long populateStart = System.nanoTime();
            populate(rig, size);
            log.accept("populated " + n + " in " + (System.nanoTime() - populateStart) / 1_000_000 + " ms");

            String floorText = "floor not measured";
            String luaFloorText = "Lua floor not measured";
            if (runs("floor")) {
                floorText = floor("floor", "config write + nginx -t + reload until served (one Nginx, no manager)", n,
                        new FloorNginx(rig.dir.resolve("floor"), size, rig.backend.port()));
                luaFloorText = floor("Lua floor", "peer list pushed to /_lbm/peers until served (one Nginx, no manager, no reload)", n,
                        new LuaFloor(rig.dir.resolve("lua-floor"), size, rig.backend.port()));
            }
            if (runs("propagation")) {
                propagation(rig, n, luaFloorText + "; " + floorText);
            }
            if (runs("new-service")) {
                newService(rig, n, floorText);
            }
            if (runs("fifty")) {
                fiftyAtOnce(rig, n);
            }
            if (runs("validate")) {
                validateEndpoint(rig, n);
            }
            if (runs("reloads")) {
                reloadsPerDiscoveryChanges(rig, n);
            }
            if (runs("load")) {
                changesUnderLoad(rig, n);
            }
        }
    }

    /** Measures a floor, adds its row and returns "name median / p99 ms" for the rows that compare with it. */
    private String floor(String name, String what, String n, Floor floor) throws Exception {
        Stats stats;
        try (floor) {
            stats = Stats.of(floor.changes(options.runs()));
        }
        add(Row.ms(name + ": " + what, n, stats, "-", "-", Double.NaN));
        return name + " " + Stats.num(stats.median()) + " / " + Stats.num(stats.p99()) + " ms";
    }

    private boolean runs(String scenario) {
        return options.scenarios().contains(scenario);
    }

    /** {@code size} services, each with one instance registered through Curator x-discovery, all served. */
    private void populate(Rig rig, int size) throws Exception {
        List<String> ids = IntStream.range(0, size).mapToObj(Catalogs::serviceId).toList();
        rig.registerAll(ids, rig.backend.port(), 8);
        rig.putServices(ids, 8);
        rig.putService("probe", null);
        rig.putService("churn", null);
        rig.register("churn", rig.backend.port());
        String last = ids.isEmpty() ? "churn" : ids.get(ids.size() - 1);
        Await.await("every service published and served", Rig.LONG,
                () -> rig.publishedUpstreams(last) == 1 && rig.publishedUpstreams("churn") == 1 && rig.settled());
        rig.untilEveryNginx(System.nanoTime(), "/" + last + "/x", s -> s == 200, Rig.LONG);
    }

    /** (a) A registration (0 -> 1 instance) and a deregistration (1 -> 0) until every Nginx serves it. */
    private void propagation(Rig rig, String n, String floorText) throws Exception {
        List<Long> regFirst = new ArrayList<>(), regAll = new ArrayList<>(), deregFirst = new ArrayList<>(), deregAll = new ArrayList<>();
        List<Long> reloads = new ArrayList<>();
        for (int run = 0; run < options.runs(); run++) {
            rig.awaitSettled();
            long appliesBefore = rig.applies(0);
            long start = System.nanoTime();
            ServiceInstance<String> instance = rig.register("probe", rig.backend.port());
            long[] at = rig.untilEveryNginx(start, "/probe/x", s -> s == 200, Rig.LONG);
            regFirst.add(Math.min(at[0], at[1]));
            regAll.add(Math.max(at[0], at[1]));
            rig.awaitSettled();
            reloads.add(rig.applies(0) - appliesBefore);

            start = System.nanoTime();
            rig.unregister(instance);
            at = rig.untilEveryNginx(start, "/probe/x", s -> s == 503, Rig.LONG);
            deregFirst.add(Math.min(at[0], at[1]));
            deregAll.add(Math.max(at[0], at[1]));
        }
        rig.awaitSettled();
        String reloadText = "; reloads per change per Nginx: " + Stats.num(Stats.of(reloads).median());
        add(Row.ms("(a) x-discovery registration -> first request served by the first Nginx", n, Stats.of(regFirst),
                floorText, "-", Double.NaN));
        add(Row.ms("(a) x-discovery registration (membership change) -> served by every Nginx" + reloadText, n, Stats.of(regAll),
                floorText, "p99 <= 100 ms, 0 reloads", 100));
        add(Row.ms("(a) x-discovery deregistration -> first Nginx stops routing to it", n, Stats.of(deregFirst),
                floorText, "-", Double.NaN));
        add(Row.ms("(a) x-discovery deregistration (membership change) -> no Nginx routes to it", n, Stats.of(deregAll),
                floorText, "p99 <= 100 ms, 0 reloads", 100));
    }

    /** (a) A new service (PUT, its instance already registered) until every Nginx serves it. */
    private void newService(Rig rig, String n, String floorText) throws Exception {
        List<Long> all = new ArrayList<>();
        for (int run = 0; run < options.runs(); run++) {
            String id = "fresh-" + run;
            ServiceInstance<String> instance = rig.register(id, rig.backend.port());
            rig.awaitSettled();
            long start = System.nanoTime();
            rig.putService(id, null);
            long[] at = rig.untilEveryNginx(start, "/" + id + "/x", s -> s == 200, Rig.LONG);
            all.add(Math.max(at[0], at[1]));
            rig.deleteService(id);
            rig.unregister(instance);
            rig.awaitUnpublished(List.of(id));
        }
        rig.awaitSettled();
        add(Row.ms("(a) new service (PUT definition, instance registered) -> served by every Nginx", n, Stats.of(all),
                floorText, "p99 <= 500 ms", 500));
    }

    /** 50 new services defined at once (10 callers) until all are served by every Nginx, and reloads that took. */
    private void fiftyAtOnce(Rig rig, String n) throws Exception {
        int reps = Math.max(1, options.runs() / 5);
        int count = Math.min(50, Math.max(5, options.runs() * 5 / 2));
        List<Long> times = new ArrayList<>();
        List<Long> reloads = new ArrayList<>();
        for (int rep = 0; rep < reps; rep++) {
            List<String> ids = new ArrayList<>();
            List<ServiceInstance<String>> instances = new ArrayList<>();
            for (int j = 0; j < count; j++) {
                String id = "burst-" + rep + "-" + j;
                ids.add(id);
                instances.add(rig.register(id, rig.backend.port()));
            }
            rig.awaitSettled();
            List<Long> before = rig.appliesOfEach();
            long start = System.nanoTime();
            rig.putServices(ids, 10);
            times.add(rig.untilAllServed(start, ids.stream().map(id -> "/" + id + "/x").toList(), Rig.LONG));
            rig.awaitSettled();
            List<Long> after = rig.appliesOfEach();
            reloads.add(IntStream.range(0, after.size()).mapToLong(i -> after.get(i) - before.get(i)).max().orElse(0));
            for (String id : ids) {
                rig.deleteService(id);
            }
            for (ServiceInstance<String> instance : instances) {
                rig.unregister(instance);
            }
            rig.awaitUnpublished(ids);
            rig.awaitSettled();
        }
        Stats r = Stats.of(reloads);
        add(Row.ms(count + " new services at once -> all served by every Nginx (most reloads on one Nginx: median "
                + Stats.num(r.median()) + ", max " + Stats.num(r.max()) + ")", n, Stats.of(times),
                "Baragon: 19-20 s", "<= 2000 ms, <= 2 reloads", 2000));
    }

    /**
     * (c) POST /api/v1/validate latency, sequential and with concurrent callers, each call proposing
     * a service of its own (so no two calls share an nginx -t run), then concurrent callers with one
     * identical proposal. Baselines, in-process on the group's bundle: nginx -t of every file, and
     * nginx -t of what a one-service proposal changes (what the endpoint runs).
     */
    private void validateEndpoint(Rig rig, String n) throws Exception {
        JsonNode config = rig.config();
        Map<String, String> files = new TreeMap<>();
        config.path("files").fields().forEachRemaining(e -> files.put(e.getKey(), e.getValue().asText()));
        ConfigBundle bundle = ConfigBundle.of(Rig.GROUP, files);
        ConfigBundle withOneMore = Catalogs.withOneMoreService(bundle);
        NginxValidator validator = new NginxValidator(HostAgent.NGINX, Duration.ofSeconds(60));
        Stats full = timedChecks(validator, bundle, Math.max(3, options.validateCalls() / 5));
        Stats changed = timedChecks(validator, ValidationScope.changedSince(withOneMore, bundle).sandbox(), options.validateCalls());
        String baseline = "nginx -t in-process: every file " + Stats.num(full.median()) + " / " + Stats.num(full.p99())
                + " ms; the changed service's files " + Stats.num(changed.median()) + " / " + Stats.num(changed.p99()) + " ms";

        List<Double> sequential = new ArrayList<>();
        for (int i = 0; i < options.validateCalls(); i++) {
            sequential.add(validateOnce(rig, proposal("seq-" + i)));
        }
        add(Row.ms("(c) POST /api/v1/validate, sequential, one new service per call", n, Stats.of(sequential), baseline,
                "p99 <= 300 ms", 300));

        int perCaller = Math.max(1, options.validateCalls() / 10);
        add(Row.ms("(c) POST /api/v1/validate, " + options.callers() + " concurrent callers, one new service per call", n,
                concurrently(rig, perCaller, (caller, i) -> proposal("c" + caller + "-" + i)), baseline, "p99 <= 300 ms", 300));
        String same = proposal("same");
        add(Row.ms("(c) POST /api/v1/validate, " + options.callers() + " concurrent callers, one identical proposal", n,
                concurrently(rig, perCaller, (caller, i) -> same), baseline, "p99 <= 300 ms", 300));
    }

    private static Stats timedChecks(NginxValidator validator, ConfigBundle bundle, int count) {
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            ValidationResult result = validator.validate(bundle);
            millis.add((System.nanoTime() - start) / 1e6);
            if (!(result instanceof ValidationResult.Valid)) {
                throw new IllegalStateException("the bundle does not pass nginx -t: " + result);
            }
        }
        return Stats.of(millis);
    }

    private static String proposal(String id) {
        return "{\"serviceId\":\"proposed-" + id + "\",\"service\":" + Rig.serviceBody("/proposed-" + id, null) + "}";
    }

    private Stats concurrently(Rig rig, int perCaller, java.util.function.BiFunction<Integer, Integer, String> body) throws Exception {
        List<Double> millis = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(options.callers());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < options.callers(); c++) {
                int caller = c;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perCaller; i++) {
                        millis.add(validateOnce(rig, body.apply(caller, i)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return Stats.of(new ArrayList<>(millis));
    }

    private static double validateOnce(Rig rig, String body) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = HeapProbe.send("POST", rig.api("/validate"), body, Duration.ofSeconds(120));
        double millis = (System.nanoTime() - start) / 1e6;
        if (response.statusCode() != 200) {
            throw new IllegalStateException("validate answered " + response.statusCode() + ": " + response.body());
        }
        return millis;
    }

    /** (d) Reloads per 1,000 discovery changes: a burst of registrations, a burst of deregistrations, and paced changes at 20/s. */
    private void reloadsPerDiscoveryChanges(Rig rig, String n) throws Exception {
        int changes = options.discoveryChanges();
        rig.awaitSettled();
        List<Long> before = rig.appliesOfEach();
        long start = System.nanoTime();
        List<ServiceInstance<String>> instances = new ArrayList<>();
        for (int i = 0; i < changes; i++) {
            instances.add(rig.register("churn", 20_000 + i));
        }
        Await.await("every churn instance published", Rig.LONG, () -> rig.publishedUpstreams("churn") == changes + 1);
        rig.awaitSettled();
        long registerMillis = (System.nanoTime() - start) / 1_000_000;
        long registerReloads = maxDelta(before, rig.appliesOfEach());

        before = rig.appliesOfEach();
        start = System.nanoTime();
        for (ServiceInstance<String> instance : instances) {
            rig.unregister(instance);
        }
        Await.await("every churn instance gone", Rig.LONG, () -> rig.publishedUpstreams("churn") == 1);
        rig.awaitSettled();
        long deregisterMillis = (System.nanoTime() - start) / 1_000_000;
        long deregisterReloads = maxDelta(before, rig.appliesOfEach());

        int paced = Math.max(10, changes / 5);
        before = rig.appliesOfEach();
        List<ServiceInstance<String>> pacedInstances = new ArrayList<>();
        long next = System.nanoTime();
        for (int i = 0; i < paced; i++) {
            pacedInstances.add(rig.register("churn", 30_000 + i));
            next += 50_000_000L;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                Thread.sleep(sleep / 1_000_000);
            }
        }
        Await.await("paced registrations live", Rig.LONG, () -> rig.publishedUpstreams("churn") == paced + 1);
        rig.awaitSettled();
        long pacedReloads = maxDelta(before, rig.appliesOfEach());
        for (ServiceInstance<String> instance : pacedInstances) {
            rig.unregister(instance);
        }
        Await.await("paced instances gone", Rig.LONG, () -> rig.publishedUpstreams("churn") == 1);
        rig.awaitSettled();
        double pacedPer1000 = pacedReloads * 1000.0 / paced;

        String scale = changes == 1000 ? "" : " (scaled to 1,000)";
        add(new Row("(d) reloads per Nginx for " + changes + " registrations in one burst (all live after "
                + registerMillis + " ms)", n, registerReloads * 1000 / changes + " per 1,000" + scale, "-",
                "every change alone would be 1 reload each", "0 reloads (membership changes)",
                registerReloads == 0 ? "met" : "missed: " + registerReloads + " reloads"));
        add(new Row("(d) reloads per Nginx for " + changes + " deregistrations in one burst (all gone after "
                + deregisterMillis + " ms)", n, deregisterReloads * 1000 / changes + " per 1,000" + scale, "-",
                "-", "0 reloads", deregisterReloads == 0 ? "met" : "missed: " + deregisterReloads + " reloads"));
        add(new Row("(d) reloads per Nginx for " + paced + " registrations paced at 20/s", n,
                Stats.num(pacedPer1000) + " per 1,000", "-", "-", "0 reloads",
                pacedReloads == 0 ? "met" : "missed: " + pacedReloads + " reloads for " + paced + " changes"));
    }

    private static long maxDelta(List<Long> before, List<Long> after) {
        return IntStream.range(0, after.size()).mapToLong(i -> after.get(i) - before.get(i)).max().orElse(0);
    }

    /** (e) Back-to-back config changes (each one a reload) under steady load: failures, p99, worker generations. */
    private void changesUnderLoad(Rig rig, String n) throws Exception {
        rig.awaitSettled();
        String path = "/" + Catalogs.serviceId(0) + "/x";
        List<Integer> ports = rig.trafficPorts();
        Duration quietLoad = Duration.ofSeconds(Math.max(3, Math.min(15, options.changes() / 5)));
        Stats baseline;
        int baselineFailed;
        try (Load load = pacedLoad(ports, path, quietLoad)) {
            Thread.sleep(quietLoad.toMillis());
            load.stop();
            baseline = Stats.of(load.latenciesMillis());
            baselineFailed = load.failed();
        }
        List<Long> masters = new ArrayList<>();
        for (int i = 1; i <= rig.agents.size(); i++) {
            masters.add(NginxWorkers.masterOf(rig.agentDir(i)).orElseThrow(() -> new IllegalStateException("no nginx master found")));
        }
        int steadyWorkers = Math.max(1, NginxWorkers.workersOf(masters.get(0)).current());
        AtomicInteger maxGenerations = new AtomicInteger();
        AtomicInteger maxOldWorkers = new AtomicInteger();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                for (long master : masters) {
                    NginxWorkers.Count count = NginxWorkers.workersOf(master);
                    int generations = (count.current() > 0 ? 1 : 0) + (count.shuttingDown() + steadyWorkers - 1) / steadyWorkers;
                    maxGenerations.accumulateAndGet(generations, Math::max);
                    maxOldWorkers.accumulateAndGet(count.shuttingDown(), Math::max);
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "worker-sampler");
        sampler.setDaemon(true);
        sampler.start();

        List<Long> changeMillis = new ArrayList<>();
        List<Long> before = rig.appliesOfEach();
        Load load = pacedLoad(ports, path, Duration.ofMinutes(30));
        long loadStart = System.nanoTime();
        try {
            for (int i = 0; i < options.changes(); i++) {
                long target = rig.targetVersion();
                long start = System.nanoTime();
                rig.putService("churn", "{\"proxyReadTimeoutMs\":" + (10_000 + i) + "}");
                Await.await("change " + i + " live on every Nginx", Rig.LONG,
                        () -> rig.targetVersion() > target && rig.settled());
                changeMillis.add((System.nanoTime() - start) / 1_000_000);
            }
        } finally {
            load.stop();
            sampling.set(false);
            sampler.join(2_000);
        }
        long reloads = maxDelta(before, rig.appliesOfEach());
        Stats under = Stats.of(load.latenciesMillis());
        double rate = load.sent() / ((System.nanoTime() - loadStart) / 1e9);
        String baselineText = "same load, no changes: p99 " + Stats.num(baseline.p99()) + " ms, " + baselineFailed + " failed";
        add(new Row("(e) failed requests during " + options.changes() + " back-to-back config changes (" + reloads
                + " reloads per Nginx) under " + load.sent() + " requests (paced for 200/s, "
                + Stats.num(rate) + "/s achieved)", n,
                load.failed() + " failed", "-", baselineText, "0 failed",
                load.failed() == 0 ? "met" : "missed: " + load.failed() + " failed " + load.firstFailures()));
        add(Row.ms("(e) request latency through Nginx during those changes", n, under, baselineText, "-", Double.NaN));
        add(new Row("(e) Nginx worker generations alive at once (max over the run; old workers seen: "
                + maxOldWorkers.get() + ", " + steadyWorkers + " per generation)", n, String.valueOf(maxGenerations.get()), "-",
                "1 generation at rest", "<= 3", maxGenerations.get() <= 3 ? "met" : "missed: " + maxGenerations.get()));
        add(Row.ms("(e) one config change (PUT) -> live on every Nginx, back to back", n, Stats.of(changeMillis),
                "-", "-", Double.NaN));
    }

    /** One request every 5 ms (200/s), round robin, a fresh connection each. */
    private static Load pacedLoad(List<Integer> ports, String path, Duration maxTime) {
        return Load.toPorts(() -> ports).path(path).everyMillis(5).maxRequests(1_000_000).maxTime(maxTime).start();
    }

    /** (f) Heap after GC and RSS of a manager JVM of its own at {@code services} services. */
    private void heap(int services) throws Exception {
        log.accept("=== heap: a manager JVM of its own with " + services + " services");
        String size = String.format(Locale.ROOT, "%,d services / %,d upstreams", services, services * HeapProbe.UPSTREAMS_PER_SERVICE);
        HeapProbe.Result result = HeapProbe.measure(options.managerJar(), Catalogs.templatesDir(), services, log);
        add(new Row("(f) manager heap after GC (MemoryMXBean via jvm.memory.heap.used)", size,
                result.heapMb(services) + " MB", "-", "empty catalog: " + result.heapMb(0) + " MB",
                "<= 512 MB", result.heapBytes(services) <= 512L * 1024 * 1024 ? "met" : "missed"));
        add(new Row("(f) manager RSS (/proc/PID/status VmRSS)", size,
                result.rssMb(services) + " MB", "-", "empty catalog: " + result.rssMb(0) + " MB", "-", "-"));
        add(new Row("(f) time to publish the catalog (" + services + " PUTs from 8 callers + registrations, until published and seen)",
                size, result.publishMillis() + " ms", "-", "-", "-", "-"));
    }
}
