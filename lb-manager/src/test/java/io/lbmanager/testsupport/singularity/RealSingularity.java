package io.lbmanager.testsupport.singularity;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real SingularityService 1.5.0 (the shaded jar Maven copies to target/singularity/, system
 * property {@code lbm.singularity.jar}) in its own JVM on 127.0.0.1, with ZooKeeper and a Mesos
 * master ({@link MesosMasterStandIn}) given by the test. Its bundled ZooKeeper 3.4 client cannot
 * reach {@code 127.0.0.1:PORT} on Java 14+ (ZOOKEEPER-3779), so the quorum is {@code zkhost:PORT}
 * with a JVM hosts file mapping {@code zkhost} and the literal {@code zkhost/<unresolved>}.
 * Its output goes to {@code singularity.log} in the work directory.
 */
public final class RealSingularity implements AutoCloseable {

    public static final String JAR_PROPERTY = "lbm.singularity.jar";
    private static final Pattern ACTIVE_AGENT = Pattern.compile("\"state\":\"ACTIVE\"");

    private final Process process;
    private final int port;
    private final Path log;

    private RealSingularity(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Why the real server cannot run here (no jar), or empty. */
    public static Optional<String> whyUnusable() {
        String jar = System.getProperty(JAR_PROPERTY);
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            return Optional.of("SingularityService jar not found (system property " + JAR_PROPERTY + "=" + jar
                    + "; failsafe sets it after maven-dependency-plugin copies it in pre-integration-test)");
        }
        return Optional.empty();
    }

    /**
     * Starts SingularityService and waits until it is subscribed to the master and sees all its agents ACTIVE.
     *
     * @param extraConfig more top-level YAML lines (e.g. {@code loadBalancerUri: ...})
     */
    public static RealSingularity start(int zooKeeperPort, MesosMasterStandIn master, Path workDir, String namespace,
                                        List<String> extraConfig) throws Exception {
        Files.createDirectories(workDir);
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path hosts = workDir.resolve("hosts");
        Files.writeString(hosts, String.join("\n",
                "127.0.0.1 localhost",
                "127.0.0.1 zkhost",
                "127.0.0.1 zkhost/<unresolved>",
                "127.0.0.1 " + InetAddress.getLocalHost().getHostName(), ""));
        Path config = workDir.resolve("singularity.yaml");
        Files.writeString(config, String.join("\n",
                "server:",
                "  type: simple",
                "  applicationContextPath: /singularity",
                "  connector:",
                "    type: http",
                "    bindHost: 127.0.0.1",
                "    port: " + port,
                "  requestLog:",
                "    appenders: []",
                "mesos:",
                "  master: " + master.address(),
                "  frameworkName: lbm-it",
                "  frameworkId: lbm-it-" + namespace,
                "  defaultCpus: 1",
                "  defaultMemory: 128",
                "  rackIdAttributeKey: rackid",
                "  reconnectTimeoutMillis: 86400000",
                "zookeeper:",
                "  quorum: zkhost:" + zooKeeperPort,
                "  zkNamespace: " + namespace,
                "  sessionTimeoutMillis: 60000",
                "  connectTimeoutMillis: 5000",
                "  retryBaseSleepTimeMilliseconds: 500",
                "  retryMaxTries: 3",
                "hostname: 127.0.0.1",
                "checkDeploysEverySeconds: 1",
                "checkNewTasksEverySeconds: 1",
                "cleanupEverySeconds: 1",
                "newTaskCheckerBaseDelaySeconds: 1",
                "logging:",
                "  level: INFO",
                "  appenders:",
                "    - type: console",
                String.join("\n", extraConfig), ""));
        Path log = workDir.resolve("singularity.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(java, "-Xmx384m", "-XX:+UseSerialGC",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-Djdk.net.hosts.file=" + hosts.toAbsolutePath(),
                "-Dzookeeper.sasl.client=false",
                "-cp", System.getProperty(JAR_PROPERTY),
                "com.hubspot.singularity.SingularityService", "server", config.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        RealSingularity singularity = new RealSingularity(process, port, log);
        try {
            singularity.awaitAgents(master.agents().size(), Duration.ofSeconds(120));
        } catch (Exception e) {
            singularity.close();
            throw e;
        }
        return singularity;
    }

    /** {@code http://127.0.0.1:PORT/singularity}: what {@code SingularityHttp} takes. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port + "/singularity";
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    private void awaitAgents(int agents, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("SingularityService exited with " + process.exitValue() + ": " + logTail());
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/api/agents"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                Matcher active = ACTIVE_AGENT.matcher(response.body());
                int count = 0;
                while (active.find()) {
                    count++;
                }
                last = response.statusCode() + ", " + count + " active agent(s)";
                if (response.statusCode() == 200 && count >= agents) {
                    return;
                }
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("SingularityService did not see " + agents + " active agents within " + timeout
                + " (last: " + last + "): " + logTail());
    }

    /** The last lines of its log, for a failure message. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
