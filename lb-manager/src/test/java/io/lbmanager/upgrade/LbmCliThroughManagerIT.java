package io.lbmanager.upgrade;

import com.github.dockerjava.api.DockerClient;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.lbmanager.FleetAssembly;
import io.lbmanager.LbManagerApplication;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.api.FleetApi;
import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.config.FleetConfig;
import io.lbmanager.fleet.DockerClients;
import io.lbmanager.fleet.NginxTask;
import io.lbmanager.fleet.TaskProbes;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.DockerSupport;
import io.lbmanager.testsupport.LbmCli;
import io.lbmanager.testsupport.Load;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.TestImages;
import io.lbmanager.testsupport.TestTokens;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.zk.ZooKeeperClients;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole manager (LbManagerApplication: catalog, pipeline, agents in containers) with the fleet
 * wired as the application is to wire it, operated through the {@code lbm} CLI script under load:
 * status, an upgrade followed step by step, a block that refuses a deploy, rollback, scale.
 */
class LbmCliThroughManagerIT {

    private static final String GROUP = "edge";
    private static final Duration SLOW = Duration.ofSeconds(240);

    private static Optional<String> whyUnusable;
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static RunningManager app;
    private static TinyBackend upstream;
    private static String baseImage;
    private static String nextImage;
    private static String crashingImage;
    private static String fleetName;
    static volatile FleetAssembly fleet;

    /** LbManagerApplication plus the fleet wiring handed over for it (FleetAssembly.create, managed objects, FleetApi.register). */
    public static class ManagerWithFleet extends LbManagerApplication {
        @Override
        public void run(LbManagerConfiguration config, Environment environment) throws Exception {
            super.run(config, environment);
            CuratorFramework client = ZooKeeperClients.client(config.zookeeper.connectString, 30_000, 15_000);
            client.start();
            environment.lifecycle().manage(new Managed() {
                @Override
                public void stop() {
                    client.close();
                }
            });
            ZkLayout layout = new ZkLayout(config.zookeeper.root);
            CatalogStore catalog = new CatalogStore(client, layout);
            FleetAssembly setup = FleetAssembly.create(fleetConfig(), client, layout, config.zookeeper.connectString, java.util.Map.of(),
                    catalog::groupExists, () -> true).orElseThrow();
            setup.managed().forEach(environment.lifecycle()::manage);
            FleetApi.register(environment.jersey(), setup.operations(), config.api);
            fleet = setup;
        }
    }

    static FleetConfig fleetConfig() {
        FleetConfig config = new FleetConfig();
        config.backend = FleetConfig.Backend.DOCKER;
        config.image = baseImage;
        config.name = fleetName;
        config.instances.put(GROUP, 2);
        config.drainMillis = 1500;
        config.upgrade.bakeSeconds = 2;
        config.upgrade.maxErrorRate = 0.0;
        config.upgrade.stepTimeoutSeconds = 60;
        config.upgrade.holdMarginSeconds = 2;
        config.upgrade.tickMillis = 250;
        return config;
    }

    @BeforeEach
    void skipWithoutDocker() {
        DockerSupport.assumeUsable(whyUnusable);
    }

    @BeforeAll
    static void startManager() throws Exception {
        baseImage = DockerSupport.image();
        whyUnusable = DockerSupport.whyUnusable(baseImage);
        if (whyUnusable.isPresent()) {
            return;
        }
        nextImage = baseImage.replaceFirst(":[^:/]*$", "") + ":cli-next-" + UUID.randomUUID().toString().substring(0, 6);
        TestImages.withLabel(baseImage, nextImage, "cli-next");
        crashingImage = baseImage.replaceFirst(":[^:/]*$", "") + ":cli-crashing-" + UUID.randomUUID().toString().substring(0, 6);
        TestImages.exitingAfter(baseImage, crashingImage, "broken nginx image", 3, 2);
        fleetName = DockerSupport.uniqueFleetName("cli");
        upstream = TinyBackend.answering("A");
        LbManagerConfiguration config = ManagerUnderTest.config(ZK.connectString(), GROUP);
        app = RunningManager.start(ManagerWithFleet.class, config);
        String api = app.api("");
        assertThat(ManagerUnderTest.send("PUT", api + "/services/hello",
                "{\"owners\":[\"hello-team\"],\"basePath\":\"/hello\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);
        assertThat(ManagerUnderTest.send("POST", api + "/services/hello/upstreams",
                "{\"host\":\"127.0.0.1\",\"port\":" + upstream.port() + "}").statusCode()).isBetween(200, 201);
        awaitServing(2, baseImage);
    }

    @AfterAll
    static void stopManager() throws Exception {
        try {
            if (app != null) {
                app.close();
            }
            if (fleetName != null) {
                try (DockerClient docker = DockerClients.local()) {
                    DockerSupport.removeFleet(docker, fleetName);
                }
            }
        } finally {
            if (nextImage != null) {
                TestImages.remove(nextImage);
                TestImages.remove(crashingImage);
            }
            if (upstream != null) {
                upstream.close();
            }
        }
    }

    @Test
    void operatorsUpgradeBlockRollBackAndScaleWithLbm() throws Exception {
        LbmCli.Run status = lbm("status", GROUP);
        assertThat(status.exit()).as(status.output()).isZero();
        assertThat(status.output()).contains("backend docker", "image " + baseImage, "instances 2", "ready");

        try (Load load = FleetUpgradeScenarios.loadThrough(fleet.backend(), GROUP, "/hello")) {
            LbmCli.Run upgrade = lbm("upgrade", GROUP, nextImage, "--step", "1", "--bake", "2");
            assertThat(upgrade.exit()).as(upgrade.output()).isZero();
            assertThat(upgrade.output()).contains("step 1/2", "step 2/2", "[SUCCEEDED]");
            awaitServing(2, nextImage);

            assertThat(lbm("block", GROUP, "change", "freeze", "for", "the", "sale").exit()).isZero();
            LbmCli.Run refused = lbm("upgrade", GROUP, baseImage);
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.output()).contains("409", "change freeze for the sale");
            assertThat(lbm("unblock", GROUP).exit()).isZero();

            LbmCli.Run rollback = lbm("rollback", GROUP);
            assertThat(rollback.exit()).as(rollback.output()).isZero();
            assertThat(rollback.output()).contains(nextImage + " -> " + baseImage, "[SUCCEEDED]");
            awaitServing(2, baseImage);

            LbmCli.Run scaled = lbm("scale", GROUP, "3");
            assertThat(scaled.exit()).as(scaled.output()).isZero();
            assertThat(scaled.output()).contains("instances 3");
            awaitServing(3, baseImage);

            load.stop();
            assertThat(load.sent()).isGreaterThan(50);
            assertThat(load.failed()).as("failed of %d: %s", load.sent(), load.firstFailures()).isZero();
            System.out.printf("lbm through the manager: %d requests, %d failed%n", load.sent(), load.failed());
        }
        LbmCli.Run history = lbm("history", GROUP);
        assertThat(history.output()).contains("SUCCEEDED   " + baseImage + " -> " + nextImage,
                "SUCCEEDED   " + nextImage + " -> " + baseImage);
    }

    @Test
    void lbmIntoAFilePrintsEachStateChangeOnceAndTheReasonACrashingImageFailed() throws Exception {
        String serving = fleet.backend().deployment(GROUP).image();
        Path file = Files.createTempFile("lbm-upgrade", ".log");
        try {
            int exit = LbmCli.runInto(file, app.port(), TestTokens.ADMIN, "upgrade", GROUP, crashingImage, "--step", "1", "--bake", "2", "--crash-budget", "1");
            String output = Files.readString(file);
            System.out.printf("lbm upgrade into a file:%n%s", output);

            assertThat(exit).as(output).isEqualTo(1);
            assertThat(output).contains(serving + " -> " + crashingImage, "[ROLLED_BACK]", "status 3", "broken nginx image",
                    "crash budget 1").doesNotContain("\u001B");
            List<String> changes = output.lines().filter(line -> line.matches("\\d\\d:\\d\\d:\\d\\d step .*"))
                    .map(line -> line.replaceFirst(":\\s.*$", "").substring(9)).toList();
            assertThat(changes).as(output).isNotEmpty().doesNotHaveDuplicates();
            assertThat(output.lines().count()).as(output).isLessThan(10);
        } finally {
            Files.deleteIfExists(file);
        }
        LbmCli.Run history = lbm("history", GROUP);
        assertThat(history.output()).contains("ROLLED_BACK " + serving + " -> " + crashingImage, "status 3", "broken nginx image");
    }

    private static LbmCli.Run lbm(String... args) throws IOException, InterruptedException {
        return LbmCli.run(app.port(), TestTokens.ADMIN, args);
    }

    private static void awaitServing(int instances, String image) throws Exception {
        TaskProbes probes = new TaskProbes(Duration.ofSeconds(1));
        Await.await(instances + " ready tasks of " + image, SLOW, () -> {
            List<NginxTask> tasks = fleet.backend().tasks(GROUP);
            return tasks.size() == instances && tasks.stream().allMatch(task -> task.image().equals(image))
                    && tasks.stream().allMatch(probes::ready);
        });
    }
}
