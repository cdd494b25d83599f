package io.lbmanager.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

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
 *     [--scenarios floor,propagation,new-service,new-profile,fifty,validate,reloads,load,agent-start,generations,upgrade]
 *     [--reloads-with-connections 1000] [--stream-seconds 60] [--image lb-manager/nginx:dev] [--step-timings true]
 *     [--routing lua|files]
 * </pre>
 * {@code --routing} is the rig's {@code nginx.routing}: {@code lua} (the product's default) or {@code files}.
 * {@code --scenarios} runs only the named scenarios at each size (default: all of them). The
 * generations scenario needs only the host's nginx; the upgrade scenario needs Docker and the
 * image (else it prints a SKIPPED line). {@code --step-timings true} prints the manager's nginx -t
 * time per render, its peer-list publish times and each agent's step times per apply.
 */
public final class EndToEndBench {

    /**
     * @param reloadsWithConnections reloads of the generations scenario
     * @param streamSeconds          how long each slow response of the generations scenario lasts
     * @param image                  the Nginx + agent image of the upgrade scenario
     * @param routing                the rig's {@code nginx.routing}: {@code lua} or {@code files}
     */
    public record Options(List<Integer> sizes, int runs, int changes, int discoveryChanges, int validateCalls,
                          int callers, int heapServices, Path managerJar, Path out, Set<String> scenarios,
                          int reloadsWithConnections, int streamSeconds, String image, boolean stepTimings, String routing) {

        /** The scenarios that share one Rig (ZooKeeper, manager, two agents on this host) per size. */
        public static final Set<String> RIG_SCENARIOS = Set.of("floor", "propagation", "new-service", "new-profile", "fifty", "validate",
                "reloads", "load", "agent-start");
        public static final Set<String> ALL_SCENARIOS = Set.of("floor", "propagation", "new-service", "new-profile", "fifty", "validate",
                "reloads", "load", "agent-start", "generations", "upgrade");

        public Options {
            if (!ALL_SCENARIOS.containsAll(scenarios)) {
                throw new IllegalArgumentException("unknown scenario in " + scenarios + "; known: " + new TreeSet<>(ALL_SCENARIOS));
            }
            scenarios = Set.copyOf(scenarios);
            if (!Set.of("lua", "files").contains(routing)) {
                throw new IllegalArgumentException("--routing must be lua or files, got " + routing);
            }
        }

        public static Options full() {
            return new Options(List.of(100, 1000), 20, 100, 1000, 50, 20, 10_000, defaultManagerJar(), null, ALL_SCENARIOS,
                    1000, 60, io.lbmanager.testsupport.DockerSupport.image(), false, "lua");
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
        String routing = o.routing();
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
                case "--routing" -> routing = v;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        EndToEndBench bench = new EndToEndBench(
                new Options(sizes, runs, changes, discoveryChanges, validateCalls, callers, heap, jar, out, scenarios,
                        reloadsWithConnections, streamSeconds, image, stepTimings, routing),
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
            new HeapScenario(options, this::add, log).run(options.heapServices());
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
        Map<String, Scenario> own = new LinkedHashMap<>();
        own.put("generations", new GenerationsScenario(options, this::add, log));
        own.put("upgrade", new UpgradeScenario(options.image(), options.routing(), this::add, log));
        for (Map.Entry<String, Scenario> scenario : own.entrySet()) {
            if (runs(scenario.getKey())) {
                scenario.getValue().run(size, n);
            }
        }
    }

    /** The rig scenarios in the order they run; propagation and new-service compare with the floors measured first. */
    private Map<String, RigScenario> rigScenarios() {
        FloorScenario floor = new FloorScenario(options, this::add);
        Map<String, RigScenario> scenarios = new LinkedHashMap<>();
        scenarios.put("floor", floor);
        scenarios.put("propagation",
                new PropagationScenario(options, this::add, () -> floor.luaFloorText() + "; " + floor.floorText()));
        scenarios.put("new-service", new NewServiceScenario(options, this::add, () -> floor.luaFloorText() + "; " + floor.floorText(), false));
        scenarios.put("new-profile", new NewServiceScenario(options, this::add, floor::floorText, true));
        scenarios.put("fifty", new FiftyAtOnceScenario(options, this::add));
        scenarios.put("validate", new ValidateScenario(options, this::add));
        scenarios.put("reloads", new DiscoveryReloadsScenario(options, this::add));
        scenarios.put("load", new ChangesUnderLoadScenario(options, this::add));
        scenarios.put("agent-start", new AgentStartScenario(options, this::add));
        return scenarios;
    }

    private void runWithRig(int size, String n) throws Exception {
        log.accept("=== " + n + ": starting ZooKeeper, manager, 2 agents with nginx, routing by " + options.routing());
        try (Rig rig = Rig.start(2, options.routing())) {
            if (options.stepTimings()) {
                Rig.showStepTimings();
            }
            long populateStart = System.nanoTime();
            rig.populate(size);
            log.accept("populated " + n + " in " + (System.nanoTime() - populateStart) / 1_000_000 + " ms");
            for (Map.Entry<String, RigScenario> scenario : rigScenarios().entrySet()) {
                if (runs(scenario.getKey())) {
                    scenario.getValue().run(rig, n);
                }
            }
        }
    }

    private boolean runs(String scenario) {
        return options.scenarios().contains(scenario);
    }
}
