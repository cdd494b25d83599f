package io.lbmanager.testsupport;

import io.lbmanager.LbManagerApplication;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A whole manager in its own JVM ({@code LbManagerApplication server manager.yml}, this test run's
 * classpath) on free loopback ports, so a test can kill it as an operating system does: {@link #kill}
 * is SIGKILL, no shutdown hook, no session close, its ZooKeeper session lives on until it expires.
 * Its output goes to {@link #log()}.
 */
public final class ManagerProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final int adminPort;
    private final Path log;

    private ManagerProcess(Process process, int port, int adminPort, Path log) {
        this.process = process;
        this.port = port;
        this.adminPort = adminPort;
        this.log = log;
    }

    /**
     * Starts a manager of {@code group} on {@code zookeeper} and waits until its API answers.
     *
     * @param yaml more lines of its configuration file (top-level keys such as {@code pipeline:} with their indented values)
     */
    public static ManagerProcess start(Path dir, String zookeeper, Path templates, String group, List<String> yaml) throws Exception {
        Files.createDirectories(dir);
        int port = Http.freePort();
        int adminPort = Http.freePort();
        List<String> lines = new ArrayList<>(List.of(
                "server:",
                "  applicationConnectors: [{type: http, bindHost: 127.0.0.1, port: " + port + "}]",
                "  adminConnectors: [{type: http, bindHost: 127.0.0.1, port: " + adminPort + "}]",
                "  requestLog: {appenders: []}",
                "zookeeper:",
                "  connectString: \"" + zookeeper + "\"",
                "  sessionTimeoutMs: 10000",
                "  connectionTimeoutMs: 5000",
                "nginx:",
                "  templatesDir: \"" + templates.toAbsolutePath().normalize() + "\"",
                "groups: [" + group + "]",
                "api:",
                "  adminTokenFile: \"" + TestTokens.adminTokenFile() + "\"",
                "logging:",
                "  level: INFO",
                "  loggers: {org.apache.zookeeper: WARN, org.apache.curator: WARN, org.eclipse.jetty: WARN}"));
        lines.addAll(yaml);
        Path config = dir.resolve("manager.yml");
        Files.writeString(config, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        Path log = dir.resolve("manager.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                LbManagerApplication.class.getName(), "server", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        ManagerProcess manager = new ManagerProcess(process, port, adminPort, log);
        try {
            Await.await("the manager in " + dir + " answers (see " + log + ")", Duration.ofSeconds(90), () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the manager exited: " + Files.readString(log));
                }
                return Http.tryGet(port, "/api/v1/manager").status() == 200;
            });
        } catch (AssertionError | Exception e) {
            manager.kill();
            throw e;
        }
        return manager;
    }

    public int port() {
        return port;
    }

    public int adminPort() {
        return adminPort;
    }

    /** http://127.0.0.1:PORT/api/v1{path} */
    public String api(String path) {
        return "http://127.0.0.1:" + port + "/api/v1" + path;
    }

    public Path log() {
        return log;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL, as {@code kill -9}. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Lines of its log containing {@code text}. */
    public List<String> logLines(String text) throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(line -> line.contains(text)).toList();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
