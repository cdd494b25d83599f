package io.lbmanager.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import io.dropwizard.logging.common.DefaultLoggingFactory;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.fleet.DockerClients;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.DockerSupport;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.Load;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.TestImages;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * (e) A rolling Nginx upgrade under load: the manager with the Docker fleet backend (product
 * settings but a 5 s bake), one group of {@value #INSTANCES} Nginx containers serving N services,
 * and paced load over the group's ready tasks. Measures the same load with no upgrade, then during
 * an upgrade to a relabeled copy of the image (same contents, another image id, as a new release
 * has), then during the rollback to the first image. Every container and image it made is removed.
 */
final class UpgradeUnderLoad implements AutoCloseable {

    static final int INSTANCES = 3;
    static final int BAKE_SECONDS = 5;
    private static final String GROUP = Rig.GROUP;
    private static final Duration SLOW = Duration.ofMinutes(5);
    /** Longer than the policy takes to give up on a step (fleet.upgrade.stepTimeoutSeconds, 300 s by default). */
    private static final Duration UPGRADE_END = Duration.ofMinutes(12);

    /** One phase: the load's latency and failures, how long the phase took and what the upgrade ended as. */
    record Phase(String name, Stats latency, int sent, int failed, List<String> firstFailures, long millis, String outcome,
                 int maxGenerationsPerContainer, int containersSampled) {
    }

    private final Consumer<String> log;
    private final String image;
    private final String routing;
    private final String nextImage;
    private final String fleetName = DockerSupport.uniqueFleetName("bench");
    private ZooKeeperExtension zookeeper;
    private TinyBackend backend;
    private RunningManager manager;
    private boolean imageBuilt;

    private UpgradeUnderLoad(String image, String routing, Consumer<String> log) {
        this.image = image;
        this.routing = routing;
        this.log = log;
        this.nextImage = image.replaceFirst(":[^:/]*$", "") + ":bench-next-" + UUID.randomUUID().toString().substring(0, 6);
    }

    /** Why the scenario cannot run here (no engine, image not built), or empty. */
    static Optional<String> whyUnusable(String image) {
        return DockerSupport.whyUnusable(image);
    }

    /** @param routing the manager's {@code nginx.routing}: {@code lua} or {@code files} */
    static UpgradeUnderLoad start(String image, String routing, int services, Consumer<String> log) throws Exception {
        UpgradeUnderLoad run = new UpgradeUnderLoad(image, routing, log);
        try {
            run.startFleet(services);
            return run;
        } catch (Exception | Error e) {
            run.close();
            throw e;
        }
    }

    private void startFleet(int services) throws Exception {
        TestImages.withLabel(image, nextImage, "bench-next");
        imageBuilt = true;
        zookeeper = new ZooKeeperExtension().start();
        backend = TinyBackend.answering("bench backend\n");
        LbManagerConfiguration config = ManagerUnderTest.withDockerFleet(zookeeper.connectString(), fleetName, GROUP, INSTANCES);
        config.fleet.image = image;
        config.nginx.routing = routing;
        config.pipeline.quietMillis = 100;
        config.pipeline.maxDelayMillis = 1000;
        config.fleet.upgrade.bakeSeconds = BAKE_SECONDS;
        ((DefaultLoggingFactory) config.getLoggingFactory()).setLevel("WARN");
        manager = RunningManager.start(config);
        Rig.quietLogs();
        long start = System.nanoTime();
        defineServices(services);
        awaitReady(image);
        String path = "/" + Catalogs.serviceId(services - 1) + "/x";
        for (int port : readyPorts()) {
            Await.await("task on port " + port + " serves " + path, SLOW, () -> Http.tryGet(port, path).status() == 200);
        }
        log.accept("fleet " + fleetName + ": " + INSTANCES + " containers of " + image + " serve " + services + " services (routing by "
                + routing + ") after "
                + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    private void defineServices(int services) throws Exception {
        AtOnce.forEach(Catalogs.serviceIds(services), 8, id -> {
            expect2xx(ManagerUnderTest.send("PUT", api("/services/" + id), Rig.serviceBody("/" + id, null)));
            expect2xx(ManagerUnderTest.send("POST", api("/services/" + id + "/upstreams"),
                    "{\"host\":\"127.0.0.1\",\"port\":" + backend.port() + "}"));
        });
    }

    private static void expect2xx(HttpResponse<String> response) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(response.request().method() + " " + response.request().uri() + ": "
                    + response.statusCode() + " " + response.body());
        }
    }

    /** The same paced load (one request every 5 ms, fresh connections) for {@code duration}, no upgrade. */
    Phase steady(String path, Duration duration) throws Exception {
        return underLoad("no upgrade", path, () -> {
            Thread.sleep(duration.toMillis());
            return "-";
        });
    }

    /** An upgrade to the relabeled image, one instance per step. */
    Phase upgrade(String path) throws Exception {
        return underLoad("upgrade", path, () -> {
            expect2xx(ManagerUnderTest.send("POST", fleetUrl() + "/upgrade",
                    "{\"image\":\"" + nextImage + "\",\"stepSize\":1,\"bakeSeconds\":" + BAKE_SECONDS + "}"));
            return awaitUpgradeEnd(nextImage);
        });
    }

    /** The rollback of the last upgrade: back to the first image, with the same steps. */
    Phase rollback(String path) throws Exception {
        return underLoad("rollback", path, () -> {
            expect2xx(ManagerUnderTest.send("POST", fleetUrl() + "/rollback", null));
            return awaitUpgradeEnd(image);
        });
    }

    private interface Action {
        String run() throws Exception;
    }

    private Phase underLoad(String name, String path, Action action) throws Exception {
        try (DockerClient docker = DockerClients.local();
             ContainerWorkerSampler workers = new ContainerWorkerSampler(docker, fleetName, 200)) {
            // as an upstream load balancer would: the ready tasks the manager's fleet API lists, read every 200 ms
            Load load = Load.toRefreshed(Duration.ofMillis(200), () -> readyPorts().stream().map(Load.Target::port).toList())
                    .path(path).everyMillis(5).maxRequests(1_000_000).maxTime(Duration.ofMinutes(20)).start();
            long start = System.nanoTime();
            String outcome;
            try {
                outcome = action.run();
            } finally {
                load.stop();
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            return new Phase(name, Stats.of(load.latenciesMillis()), load.sent(), load.failed(), load.firstFailures(), millis, outcome,
                    workers.maxGenerations(), workers.containersSeen());
        }
    }

    /** Waits until the upgrade in progress ends, then until every instance of {@code image} is ready; its final state. */
    private String awaitUpgradeEnd(String image) throws Exception {
        String[] state = {""};
        Await.await("the upgrade to " + image + " ended", UPGRADE_END, () -> {
            JsonNode upgrade = fleetStatus().path("upgrade");
            state[0] = upgrade.path("state").asText("") + " " + upgrade.path("message").asText("");
            return upgrade.path("toImage").asText().equals(image)
                    && !List.of("RUNNING", "PAUSED").contains(upgrade.path("state").asText("RUNNING"));
        });
        log.accept("upgrade to " + image + ": " + state[0]);
        String outcome = state[0].split(" ")[0];
        if (outcome.equals("SUCCEEDED")) {
            awaitReady(image);
        }
        return outcome;
    }

    private void awaitReady(String image) throws Exception {
        Await.await(INSTANCES + " ready tasks of " + image, SLOW, () -> {
            JsonNode tasks = fleetStatus().path("tasks");
            int ready = 0;
            for (JsonNode task : tasks) {
                if (task.path("image").asText().equals(image) && task.path("ready").asBoolean()) {
                    ready++;
                }
            }
            return tasks.size() == INSTANCES && ready == INSTANCES;
        });
    }

    private List<Integer> readyPorts() throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (JsonNode task : fleetStatus().path("tasks")) {
            if (task.path("running").asBoolean() && task.path("ready").asBoolean()) {
                ports.add(task.path("trafficPort").asInt());
            }
        }
        return ports;
    }

    private JsonNode fleetStatus() throws Exception {
        return ManagerUnderTest.json(ManagerUnderTest.get(fleetUrl()));
    }

    private String fleetUrl() {
        return api("/fleet/" + GROUP);
    }

    private String api(String path) {
        return manager.api(path);
    }

    String nextImage() {
        return nextImage;
    }

    @Override
    public void close() {
        try {
            if (manager != null) {
                manager.close();
                Rig.quietLogs();
            }
        } catch (RuntimeException e) {
            log.accept("stopping the manager: " + e);
        } finally {
            try (DockerClient docker = DockerClients.local()) {
                DockerSupport.removeFleet(docker, fleetName);
            } catch (Exception e) {
                log.accept("removing fleet " + fleetName + " failed, remove its containers by hand: " + e);
            }
            if (imageBuilt) {
                TestImages.remove(nextImage);
            }
            if (backend != null) {
                backend.close();
            }
            if (zookeeper != null) {
                try {
                    zookeeper.close();
                } catch (Exception ignored) {
                    // a temporary server
                }
            }
        }
    }
}
