package io.lbmanager.hibernation;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.HostConfig;
import io.lbmanager.fleet.DockerClients;
import io.lbmanager.fleet.DockerTaskRunner;
import io.lbmanager.testsupport.DockerSupport;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Hibernation on real parts: a real ZooKeeper, the manager, an agent with this host's Nginx and its
 * Lua balancer, and a real backend container on the local Docker engine (the image under test running
 * the demo's {@code register} command: a sample backend that registers itself through Curator
 * x-discovery while it runs). The manager stops the container when no request came for the idle
 * time and starts it again for the first request, which Nginx holds meanwhile.
 */
class HibernationIT {

    private static final String GROUP = "edge";
    private static final String SERVICE = "sleepy";
    private static final Duration WITHIN = Duration.ofSeconds(40);
    private static final Optional<String> DOCKER_UNUSABLE = DockerSupport.whyUnusable(DockerSupport.image());

    @TempDir
    static Path dir;
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static final String FLEET = DockerSupport.uniqueFleetName("hib-it");
    private static final String HANDLE = FLEET + "-backend";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static DockerClient docker;
    private static RunningManager manager;
    private static HostAgent agent;
    private static String container;

    @BeforeAll
    static void start() throws Exception {
        if (DOCKER_UNUSABLE.isPresent()) {
            return;
        }
        docker = DockerClients.local();
        var config = ManagerUnderTest.config(ZK.connectString(), GROUP);
        config.nginx.routing = "lua"; // the default: the Lua router holds a hibernated service's first requests
        manager = RunningManager.start(config);
        agent = HostAgent.start(ZK.connectString(), "/lb-manager", GROUP, "agent-1", dir.resolve("agent-1"));
        container = startBackend(HANDLE, SERVICE);
        putService(SERVICE, "/sleepy", HANDLE, "\"idleSeconds\":3");
        putService("nobody-home", "/nobody-home", FLEET + "-no-containers", "\"idleSeconds\":1,\"wakeTimeoutSeconds\":1");
        putService("no-waiting-room", "/no-waiting-room", FLEET + "-no-containers", "\"idleSeconds\":1,\"maxHeldRequests\":0");
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (manager != null) {
            manager.close();
        }
        if (docker != null) {
            DockerSupport.removeFleet(docker, FLEET);
            docker.close();
        }
    }

    @BeforeEach
    void dockerIsUsable() {
        DockerSupport.assumeUsable(DOCKER_UNUSABLE);
    }

    @Test
    void anIdleServiceHibernatesAndTheNextRequestWakesItAndSucceeds() throws Exception {
        awaitAsleep(SERVICE, container);
        long wakesBefore = hibernation(SERVICE).path("wakes").asLong();

        HttpResponse<String> first = request("/sleepy/first");

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.body()).startsWith("hello from " + SERVICE);
        assertThat(running(container)).isTrue();
        await(SERVICE + " is awake again", WITHIN, () -> hibernation(SERVICE).path("state").asText().equals("awake"));
        assertThat(hibernation(SERVICE).path("wakes").asLong()).isEqualTo(wakesBefore + 1);
    }

    @Test
    void twentyConcurrentFirstRequestsCauseOneWakeUpAndAllSucceedOrGetACleanRetryLater() throws Exception {
        awaitAsleep(SERVICE, container);
        long wakesBefore = hibernation(SERVICE).path("wakes").asLong();
        long since = System.currentTimeMillis() / 1000 - 1;

        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.trafficPort() + "/sleepy/c" + i))
                    .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString()));
        }
        int succeeded = 0;
        for (CompletableFuture<HttpResponse<String>> answer : sent) {
            HttpResponse<String> response = answer.get(90, TimeUnit.SECONDS);
            if (response.statusCode() == 200) {
                assertThat(response.body()).startsWith("hello from " + SERVICE);
                succeeded++;
            } else {
                assertCleanRetryLater(response, "waking_timeout");
            }
        }

        assertThat(succeeded).as("requests held until the one wake-up finished").isEqualTo(20);
        await(SERVICE + " is awake again", WITHIN, () -> hibernation(SERVICE).path("state").asText().equals("awake"));
        assertThat(hibernation(SERVICE).path("wakes").asLong()).as("wake-ups the manager ordered").isEqualTo(wakesBefore + 1);
        assertThat(containerStartsSince(container, since)).as("docker start events of the backend").isEqualTo(1);
    }

    @Test
    void aRequestHeldPastTheWakeTimeoutGets503WithRetryAfter() throws Exception {
        awaitHibernated("nobody-home");
        long started = System.nanoTime();

        HttpResponse<String> response = request("/nobody-home/x");

        assertCleanRetryLater(response, "waking_timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("held for the wake timeout (1 s)").isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void aRequestOverTheHoldLimitGets503WithRetryAfterAtOnce() throws Exception {
        awaitHibernated("no-waiting-room");

        HttpResponse<String> response = request("/no-waiting-room/x");

        assertCleanRetryLater(response, "waking_queue_full");
    }

    @Test
    void badHibernationOptionsAreRefusedNamingTheField() throws Exception {
        HttpResponse<String> refused = send("PUT", manager.api("/services/bad-hib"), "{\"owners\":[\"t\"],\"basePath\":\"/bad-hib\","
                + "\"groups\":[\"edge\"],\"options\":{\"hibernation\":{\"scheduler\":\"docker\",\"handle\":\"x; include /etc/passwd\","
                + "\"idleSeconds\":3}}}");
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(json(refused).path("field").asText()).isEqualTo("options.hibernation.handle");
        HttpResponse<String> missing = send("PUT", manager.api("/services/bad-hib"), "{\"owners\":[\"t\"],\"basePath\":\"/bad-hib\","
                + "\"groups\":[\"edge\"],\"options\":{\"hibernation\":{\"scheduler\":\"docker\",\"handle\":\"x\"}}}");
        assertThat(missing.statusCode()).isEqualTo(422);
        assertThat(json(missing).path("field").asText()).isEqualTo("options.hibernation.idleSeconds");
    }

    /**
     * The wake-up time benchmark (BENCHMARKS.md): {@code -Dlbm.bench.wakes=N} times, let a service with a 1 s idle
     * time hibernate, then time its first request (held by Nginx through the wake-up); the baseline is the same
     * request to the awake service, measured in the same run. Skipped without the property.
     */
    @Test
    void wakeUpTimeBenchmark() throws Exception {
        int wakes = Integer.getInteger("lbm.bench.wakes", 0);
        assumeTrue(wakes > 0, "the wake-up benchmark runs only with -Dlbm.bench.wakes=N");
        String service = "bench-sleepy";
        String handle = FLEET + "-bench";
        String backend = startBackend(handle, service);
        putService(service, "/bench-sleepy", handle, "\"idleSeconds\":1,\"wakeTimeoutSeconds\":120");
        await(service + " is routed and answers", WITHIN, () -> request("/bench-sleepy/routed").statusCode() == 200);
        List<Long> wakeMicros = new ArrayList<>();
        List<Long> awakeMicros = new ArrayList<>();
        for (int i = 0; i < wakes; i++) {
            awaitAsleep(service, backend);
            long started = System.nanoTime();
            HttpResponse<String> first = request("/bench-sleepy/wake-" + i);
            wakeMicros.add((System.nanoTime() - started) / 1000);
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            started = System.nanoTime();
            HttpResponse<String> awake = request("/bench-sleepy/awake-" + i);
            awakeMicros.add((System.nanoTime() - started) / 1000);
            assertThat(awake.statusCode()).as(awake.body()).isEqualTo(200);
        }
        String row = "wake-up of a hibernated service (first request held by Nginx, backend container started): median "
                + percentile(wakeMicros, 50) / 1000 + " ms, p99 " + percentile(wakeMicros, 99) / 1000 + " ms over " + wakes
                + " wakes; baseline, the next request to the awake service: median " + percentile(awakeMicros, 50) + " us, p99 "
                + percentile(awakeMicros, 99) + " us";
        System.out.println("BENCH " + row);
        java.nio.file.Files.writeString(Path.of("target", "hibernation-wake.md"), row + "\n");
    }

    private static long percentile(List<Long> values, int percent) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percent / 100.0 * sorted.size()) - 1));
    }

    private static void assertCleanRetryLater(HttpResponse<String> response, String error) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).as("Retry-After of " + response.body()).hasValueSatisfying(value ->
                assertThat(Integer.parseInt(value)).isPositive());
        JsonNode body = ManagerUnderTest.JSON.readTree(response.body());
        assertThat(body.path("error").asText()).isEqualTo(error);
    }

    private static void awaitHibernated(String service) throws Exception {
        await(service + " hibernated", WITHIN, () -> hibernation(service).path("state").asText().equals("hibernated"));
        await("the agent told Nginx to hold requests for " + service, WITHIN,
                () -> agent.agent.wakeRequests().holding().contains(service));
    }

    /** Hibernated, its container stopped, and no peer of it left in Nginx: the next request needs a wake-up. */
    private static void awaitAsleep(String service, String backendContainer) throws Exception {
        awaitHibernated(service);
        await("the backend container of " + service + " stopped", WITHIN, () -> !running(backendContainer));
        await("Nginx holds no peer of " + service, WITHIN, () -> {
            var held = agent.agent.upstreams().services().get(service);
            return held == null || held.peers().isEmpty();
        });
    }

    private static JsonNode hibernation(String service) throws Exception {
        return json(get(manager.api("/services/" + service + "/hibernation")));
    }

    private static HttpResponse<String> request(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.trafficPort() + path))
                .timeout(Duration.ofSeconds(150)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void putService(String id, String basePath, String handle, String timing) throws Exception {
        HttpResponse<String> put = send("PUT", manager.api("/services/" + id), "{\"owners\":[\"sleepers\"],\"basePath\":\"" + basePath
                + "\",\"groups\":[\"" + GROUP + "\"],\"options\":{\"hibernation\":{\"scheduler\":\"docker\",\"handle\":\"" + handle + "\","
                + timing + "}}}");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    }

    /** A backend container labelled for hibernation: the demo's register command, which registers while it runs. */
    private static String startBackend(String handle, String service) {
        String name = handle + "-1";
        docker.createContainerCmd(DockerSupport.image()).withName(name)
                .withLabels(Map.of(DockerBackends.LABEL, handle, DockerTaskRunner.LABEL_FLEET, FLEET))
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("host"))
                .withCmd("java", "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", "/opt/lb-manager/lb-manager.jar",
                        "register", "--zookeeper", ZK.connectString(), "--base-path", "/services", service)
                .exec();
        docker.startContainerCmd(name).exec();
        return name;
    }

    private static boolean running(String name) {
        return Boolean.TRUE.equals(docker.inspectContainerCmd(name).exec().getState().getRunning());
    }

    /** {@code docker start} events of the container from {@code sinceEpochSeconds} until now. */
    private static int containerStartsSince(String name, long sinceEpochSeconds) throws Exception {
        Process events = new ProcessBuilder("docker", "events", "--since", Long.toString(sinceEpochSeconds),
                "--until", Long.toString(System.currentTimeMillis() / 1000 + 1), "--filter", "container=" + name,
                "--filter", "event=start", "--format", "{{.Status}}").redirectErrorStream(true).start();
        String out = new String(events.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(events.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(events.exitValue()).as(out).isZero();
        return (int) out.lines().filter(line -> line.strip().equals("start")).count();
    }
}
