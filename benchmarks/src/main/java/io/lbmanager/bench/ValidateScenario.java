package io.lbmanager.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.logging.common.DefaultLoggingFactory;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.validate.NginxValidator;
import io.lbmanager.validate.ValidationResult;
import io.lbmanager.validate.ValidationScope;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

    /**
     * (c) POST /api/v1/validate latency, sequential and with concurrent callers, each call proposing
     * a service of its own (so no two calls share an nginx -t run), then concurrent callers with one
     * identical proposal. Baselines, in-process on the group's bundle: nginx -t of every file, and
     * nginx -t of what a one-service proposal changes (what the endpoint runs).
     */
record ValidateScenario(EndToEndBench.Options options, Consumer<Row> rows) implements RigScenario {

    @Override
    public void run(Rig rig, String n) throws Exception {
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

        double target = RoutingTargets.validate(rig.services());
        String targetText = RoutingTargets.text(target, "");
        List<Double> sequential = new ArrayList<>();
        for (int i = 0; i < options.validateCalls(); i++) {
            sequential.add(validateOnce(rig, proposal("seq-" + i)));
        }
        rows.accept(Row.ms("(c) POST /api/v1/validate, sequential, one new service per call", n, Stats.of(sequential), baseline,
                targetText, target));

        int perCaller = Math.max(1, options.validateCalls() / 10);
        rows.accept(Row.ms("(c) POST /api/v1/validate, " + options.callers() + " concurrent callers, one new service per call", n,
                concurrently(rig, perCaller, (caller, i) -> proposal("c" + caller + "-" + i)), baseline, targetText, target));
        if (rig.routesByLua()) {
            // A routed service with a known profile leaves the bundle as it is: no nginx -t. One with a profile of its own does not.
            rows.accept(Row.ms("(c) POST /api/v1/validate, " + options.callers() + " concurrent callers, one new service with an option"
                            + " profile of its own per call (nginx -t)", n,
                    concurrently(rig, perCaller, (caller, i) -> proposal("p" + caller + "-" + i,
                            "{\"clientMaxBodySizeMb\":" + (2_000 + caller * 100 + i) + "}")), baseline, targetText, target));
        }
        String same = proposal("same");
        rows.accept(Row.ms("(c) POST /api/v1/validate, " + options.callers() + " concurrent callers, one identical proposal", n,
                concurrently(rig, perCaller, (caller, i) -> same), baseline, targetText, target));
        jailCost(rig, n);
    }

    /**
     * (c) What the validation jail costs the endpoint: a second manager on the same ZooKeeper with
     * {@code nginx.jail: none} answers the same proposals; calls alternate between the jailed rig
     * manager and it, so both see the same machine load. Target: the jail adds at most 20% to p99.
     */
    private void jailCost(Rig rig, String n) throws Exception {
        LbManagerConfiguration config = ManagerUnderTest.config(rig.zookeeper.connectString(), Rig.GROUP);
        config.nginx.jail = "none";
        config.nginx.routing = rig.routing; // the same routing as the manager it is compared with
        ((DefaultLoggingFactory) config.getLoggingFactory()).setLevel("WARN");
        RunningManager unjailed = RunningManager.start(config);
        Rig.quietLogs();
        try {
            List<Double> jailed = new ArrayList<>();
            List<Double> none = new ArrayList<>();
            for (int i = 0; i < options.validateCalls() * 2; i++) {
                // With Lua routing, a profile of its own, so that each proposal runs nginx -t.
                String body = proposal("jail-" + i, rig.routesByLua() ? "{\"clientMaxBodySizeMb\":" + (5_000 + i) + "}" : null);
                boolean jailedFirst = i % 2 == 0;
                (jailedFirst ? jailed : none).add(validateOnce(jailedFirst ? rig.api("/validate") : unjailed.api("/validate"), body));
                (jailedFirst ? none : jailed).add(validateOnce(jailedFirst ? unjailed.api("/validate") : rig.api("/validate"), body));
            }
            Stats without = Stats.of(none);
            Stats with = Stats.of(jailed);
            String baseline = "nginx.jail: none, same proposals, calls alternated: " + Stats.num(without.median()) + " / "
                    + Stats.num(without.p99()) + " ms (n=" + without.n() + "); jail adds " + percent(with.median(), without.median())
                    + " to the median, " + percent(with.p99(), without.p99()) + " to p99";
            rows.accept(Row.ms("(c) POST /api/v1/validate, sequential, one new service per call, nginx -t in the bwrap jail", n, with,
                    baseline, "p99 <= 1.2 x unjailed", without.p99() * 1.2));
        } finally {
            unjailed.close();
            Rig.quietLogs();
        }
    }

    private static String percent(double value, double base) {
        return String.format(java.util.Locale.ROOT, "%+.0f%%", (value / base - 1) * 100);
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
        return proposal(id, null);
    }

    private static String proposal(String id, String options) {
        return "{\"serviceId\":\"proposed-" + id + "\",\"service\":" + Rig.serviceBody("/proposed-" + id, options) + "}";
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
        return validateOnce(rig.api("/validate"), body);
    }

    private static double validateOnce(String url, String body) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = HeapProbe.send("POST", url, body, Duration.ofSeconds(120));
        double millis = (System.nanoTime() - start) / 1e6;
        if (response.statusCode() != 200) {
            throw new IllegalStateException("validate answered " + response.statusCode() + ": " + response.body());
        }
        return millis;
    }
}
