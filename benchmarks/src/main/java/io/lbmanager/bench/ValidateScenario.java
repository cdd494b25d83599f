package io.lbmanager.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.render.ConfigBundle;
import io.lbmanager.testsupport.HostAgent;
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

        List<Double> sequential = new ArrayList<>();
        for (int i = 0; i < options.validateCalls(); i++) {
            sequential.add(validateOnce(rig, proposal("seq-" + i)));
        }
        rows.accept(Row.ms("(c) POST /api/v1/validate, sequential, one new service per call", n, Stats.of(sequential), baseline,
                "p99 <= 300 ms", 300));

        int perCaller = Math.max(1, options.validateCalls() / 10);
        rows.accept(Row.ms("(c) POST /api/v1/validate, " + options.callers() + " concurrent callers, one new service per call", n,
                concurrently(rig, perCaller, (caller, i) -> proposal("c" + caller + "-" + i)), baseline, "p99 <= 300 ms", 300));
        String same = proposal("same");
        rows.accept(Row.ms("(c) POST /api/v1/validate, " + options.callers() + " concurrent callers, one identical proposal", n,
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
}
