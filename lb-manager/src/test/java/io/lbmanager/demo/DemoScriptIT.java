package io.lbmanager.demo;

import com.github.dockerjava.api.DockerClient;
import io.lbmanager.fleet.DockerClients;
import io.lbmanager.fleet.DockerTaskRunner;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.DockerSupport;
import io.lbmanager.testsupport.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code ./demo.sh} as a newcomer runs it, on this host (where .ci/run installed everything, so it
 * must install nothing and reuse the running Docker engine): the block it prints is parsed and
 * every URL in it is requested over real HTTP on 127.0.0.1, the printed ZooKeeper answers, the
 * printed registration command really adds a backend behind Nginx, and the upstreams are dynamic.
 * Ports, fleet label and image are the test's own (LBM_* variables), so it never touches another demo.
 * The install on a clean machine is the documented manual run (docs/fresh-machine.md).
 */
class DemoScriptIT {

    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final Duration SERVING_WITHIN = Duration.ofMinutes(5);
    private static final Pattern LINE = Pattern.compile("^  ([A-Z][A-Za-z ]+):\\s+(.*)$");

    /** Everything the processes printed, with seconds since the class loaded, for a failed run. */
    private static final Path LOG = Path.of("target", "demo-script-it.log");
    private static final long T0 = System.nanoTime();

    private final String image = DockerSupport.image();
    private final String fleet = DockerSupport.uniqueFleetName("demo");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> started = new ArrayList<>();
    private final StringBuffer output = new StringBuffer();
    private Optional<String> whyUnusable;

    @BeforeEach
    void dockerAndImage() {
        whyUnusable = DockerSupport.whyUnusable(image);
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (Process process : started) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
        if (whyUnusable.isEmpty()) {
            try (DockerClient docker = DockerClients.local()) {
                DockerSupport.removeFleet(docker, fleet);
            }
        }
    }

    @Test
    void demoShPrintsABlockWhoseEveryAddressAnswers() throws Exception {
        DockerSupport.assumeUsable(whyUnusable);
        int zkPort = Http.freePort();
        int apiPort = Http.freePort();
        int adminPort = Http.freePort();
        ProcessBuilder demo = new ProcessBuilder("bash", "demo.sh").directory(REPO.toFile()).redirectErrorStream(true);
        demo.environment().putAll(Map.of("LBM_IMAGE", image, "LBM_DEMO_FLEET", fleet, "LBM_ZK_PORT", Integer.toString(zkPort),
                "LBM_API_PORT", Integer.toString(apiPort), "LBM_ADMIN_PORT", Integer.toString(adminPort)));
        Process process = start(demo);

        try {
            Await.await("demo.sh prints its block", SERVING_WITHIN, () -> output.indexOf(DemoBanner.FOOTER) >= 0 || !process.isAlive());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; its output ends:\n" + tail(), e);
        }
        assertThat(process.isAlive()).as("demo.sh still runs; its output:\n%s", output).isTrue();
        String out = output.toString();
        assertThat(out).contains("demo: all required packages are present; installing nothing")
                .doesNotContain("installing missing packages").doesNotContain("starting dockerd")
                .contains("demo: reusing the running Docker engine");

        Map<String, List<String>> block = parse(out);
        assertThat(first(block, "ZooKeeper")).startsWith("127.0.0.1:" + zkPort + " ");
        assertThat(zooKeeperSays(zkPort, "ruok")).isEqualTo("imok");

        String token = first(block, "Admin token");
        assertThat(token).startsWith("lbm_");
        assertThat(first(block, "Dashboard")).isEqualTo("http://127.0.0.1:" + apiPort + "/dashboard/");
        assertThat(get(first(block, "Dashboard"), null).body()).containsIgnoringCase("<html");
        assertThat(get(first(block, "API"), token).body()).contains("\"hello\"");
        assertThat(get(first(block, "Group status"), token).body()).contains("\"demo\"");
        assertThat(get(first(block, "API"), null).statusCode()).as("the API without the token").isEqualTo(401);
        assertThat(first(block, "Upstreams")).startsWith("dynamic");
        assertThat(lbm(first(block, "Try lbm"))).contains("hello");

        List<String> nginxUrls = new ArrayList<>();
        for (String nginx : block.get("Nginx")) {
            assertThat(nginx).endsWith("upstreams dynamic)");
            nginxUrls.add(nginx.substring(0, nginx.indexOf(' ')));
        }
        assertThat(nginxUrls).hasSize(2).allMatch(u -> u.startsWith("http://127.0.0.1:") && u.endsWith("/hello"));
        for (String url : nginxUrls) {
            assertThat(backendsBehind(url, 8)).containsExactlyInAnyOrder("backend-1", "backend-2");
        }

        // The registration line, run as printed (java from this JVM's JDK), adds a third backend.
        String register = first(block, "Register");
        assertThat(register).startsWith("java -jar ").contains("--zookeeper 127.0.0.1:" + zkPort + " ");
        List<String> command = new ArrayList<>(List.of(register.split(" ")));
        command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process registration = start(new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true));
        for (String url : nginxUrls) {
            Await.await("the registered backend serves through " + url, Duration.ofSeconds(30),
                    () -> backendsBehind(url, 6), names -> names.stream().anyMatch(n -> n.startsWith("hello-")));
        }
        registration.toHandle().destroy(); // Ctrl-C unregisters it
        assertThat(registration.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("register stops on SIGTERM").isTrue();
        for (String url : nginxUrls) {
            Await.await("the unregistered backend leaves " + url, Duration.ofSeconds(30),
                    () -> backendsBehind(url, 6), names -> names.equals(Set.of("backend-1", "backend-2")));
        }

        // Ctrl-C (SIGTERM here) stops the manager, which removes its Nginx containers.
        process.toHandle().destroy(); // SIGTERM; Process.destroy would also close the output pipe
        assertThat(process.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)).as("demo.sh stops on SIGTERM").isTrue();
        try (DockerClient docker = DockerClients.local()) {
            assertThat(docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(DockerTaskRunner.LABEL_FLEET, fleet)).exec()).isEmpty();
        }
    }

    @Test
    void anotherUserGetsTheRootCommandsAndExitStatus2() throws Exception {
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false), "needs root to run demo.sh as nobody");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runuser")) && Files.isExecutable(Path.of("/usr/sbin/nginx")),
                "needs runuser and nginx in /usr/sbin");
        assumeTrue(new ProcessBuilder("/usr/sbin/runuser", "-u", "nobody", "--", "test", "-r", REPO.resolve("demo.sh").toString())
                .start().waitFor() == 0, "user nobody cannot read " + REPO + " (a checkout under /root?)");
        // Without /usr/sbin on PATH, nginx (and dockerd) look missing: what a user on a fresh machine sees.
        Process process = start(new ProcessBuilder("/usr/sbin/runuser", "-u", "nobody", "--", "env", "PATH=/usr/bin:/bin",
                "bash", "demo.sh").directory(REPO.toFile()).redirectErrorStream(true));
        assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        process.getInputStream().close();
        Await.await("demo.sh's output is read", Duration.ofSeconds(5), () -> output.indexOf("apt-get") >= 0);
        assertThat(process.exitValue()).as("output:\n%s", output).isEqualTo(2);
        assertThat(output.toString()).contains("never uses sudo by itself")
                .containsPattern("apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends .*nginx")
                .doesNotContain("installing missing packages");
    }

    private Process start(ProcessBuilder builder) throws IOException {
        Process process = builder.start();
        started.add(process);
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    output.append(line).append('\n');
                    Files.writeString(LOG, String.format("%6.1fs %s%n", (System.nanoTime() - T0) / 1e9, line),
                            StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
            } catch (IOException closed) {
                // the process ended
            }
        }, "demo-output");
        reader.setDaemon(true);
        reader.start();
        return process;
    }

    /** Label to values of the lines between the demo's header and footer. */
    static Map<String, List<String>> parse(String output) {
        int start = output.indexOf(DemoBanner.HEADER);
        int end = output.indexOf(DemoBanner.FOOTER, start);
        assertThat(start).as("the block's header").isNotNegative();
        Map<String, List<String>> block = new LinkedHashMap<>();
        for (String line : output.substring(start, end).split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                block.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(2).trim());
            }
        }
        return block;
    }

    private static String first(Map<String, List<String>> block, String label) {
        assertThat(block).as("the block has a '%s:' line", label).containsKey(label);
        return block.get(label).get(0);
    }

    private HttpResponse<String> get(String url, String token) throws Exception {
        assertThat(URI.create(url).getHost()).isEqualTo("127.0.0.1");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (token != null || !url.contains("/api/")) {
            assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(200);
        }
        return response;
    }

    private Set<String> backendsBehind(String url, int requests) throws Exception {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = get(url, null);
            response.headers().firstValue("X-Backend").ifPresent(names::add);
        }
        return names;
    }

    /** Runs a printed {@code NAME=VALUE ... ./lbm ARGS} line in the checkout; its output, when it exits 0. */
    private static String lbm(String line) throws Exception {
        ProcessBuilder builder = new ProcessBuilder().directory(REPO.toFile()).redirectErrorStream(true);
        List<String> command = new ArrayList<>();
        for (String word : line.split(" ")) {
            int eq = word.indexOf('=');
            if (command.isEmpty() && eq > 0 && word.startsWith("LBM_")) {
                builder.environment().put(word.substring(0, eq), word.substring(eq + 1));
            } else {
                command.add(word);
            }
        }
        assertThat(command).startsWith("./lbm");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.command(command).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", line, out).isZero();
        return out;
    }

    private static String zooKeeperSays(int port, String word) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
    }

    private String tail() {
        String all = output.toString();
        return all.substring(Math.max(0, all.length() - 3000));
    }
}
