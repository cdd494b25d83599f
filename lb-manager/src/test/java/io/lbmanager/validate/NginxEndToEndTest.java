package io.lbmanager.validate;

import com.sun.net.httpserver.HttpServer;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.render.AgentInclude;
import io.lbmanager.render.Fixtures;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.testsupport.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.lbmanager.render.Fixtures.renderedGroup;
import static io.lbmanager.render.Fixtures.service;
import static io.lbmanager.render.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

/** Starts the real nginx on a rendered bundle and sends real HTTP through it to a JDK backend, all on 127.0.0.1. */
class NginxEndToEndTest {

    private static final long VERSION = 7;

    @TempDir
    Path work;

    private HttpServer backend;
    private Process nginx;
    private Path nginxOutput;
    private int nginxPort;
    private final HttpClient http = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    @BeforeEach
    void startBackend() throws IOException {
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        backend.createContext("/", exchange -> {
            int received = exchange.getRequestBody().readAllBytes().length;
            String body = "backend saw " + exchange.getRequestMethod() + " " + exchange.getRequestURI()
                    + " bytes=" + received
                    + " host=" + exchange.getRequestHeaders().getFirst("Host")
                    + " xff=" + exchange.getRequestHeaders().getFirst("X-Forwarded-For")
                    + " proto=" + exchange.getRequestHeaders().getFirst("X-Forwarded-Proto");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        backend.start();
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        if (nginx != null && nginx.isAlive()) {
            nginx.destroy();
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                nginx.descendants().forEach(ProcessHandle::destroyForcibly);
                nginx.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        backend.stop(0);
    }

    @Test
    void requestsReachTheBackendThroughRenderedConfig() throws Exception {
        Upstream upstream = new Upstream("127.0.0.1", backend.getAddress().getPort());
        CatalogSnapshot snapshot = snapshot(
                service("shop", "/shop", Map.of(), upstream),
                service("api", "/api/v1", Map.of("stripBasePath", true, "loadBalancing", "least_conn"), upstream),
                service("empty", "/empty", Map.of()));
        ConfigBundle bundle = renderedGroup(snapshot);
        startNginx(bundle);

        assertThat(get("/_lbm/version")).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(VERSION + " " + bundle.sha256() + "\n");
        });
        assertThat(get("/shop/items?page=2")).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).startsWith("backend saw GET /shop/items?page=2 bytes=0 ")
                    .contains("host=127.0.0.1", "xff=127.0.0.1", "proto=http");
        });
        assertThat(get("/shop").body()).startsWith("backend saw GET /shop ");
        assertThat(get("/api/v1/items?page=2").body()).startsWith("backend saw GET /items?page=2 ");
        assertThat(get("/api/v1").body()).startsWith("backend saw GET / ");
        assertThat(get("/empty/anything")).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("\"no_upstreams\"", "empty");
        });
        assertThat(get("/nowhere")).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
            assertThat(r.body()).contains("\"not_found\"");
        });
    }

    @Test
    void largeRequestBodyIsBufferedUnderPrefixTmpWhenThePrefixIsReadableByWorkers() throws Exception {
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        ConfigBundle bundle = renderedGroup(snapshot(
                service("upload", "/upload", Map.of(), new Upstream("127.0.0.1", backend.getAddress().getPort()))));
        startNginx(bundle);
        byte[] body = new byte[300 * 1024];

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nginxPort + "/upload/file"))
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as("nginx said: %s", Files.readString(nginxOutput)).isEqualTo(200);
        assertThat(response.body()).startsWith("backend saw POST /upload/file bytes=" + body.length + " ");
    }

    private void startNginx(ConfigBundle bundle) throws Exception {
        Path prefix = Files.createDirectory(work.resolve("version-" + VERSION),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        bundle.writeTo(prefix);
        nginxPort = freeLoopbackPort();
        Files.writeString(prefix.resolve(ConfigBundle.AGENT_FILE),
                AgentInclude.render("127.0.0.1", nginxPort, VERSION, bundle.sha256()));
        Files.createDirectories(prefix.resolve("tmp"));
        Files.createDirectories(prefix.resolve("logs"));
        nginxOutput = work.resolve("nginx.out");
        nginx = new ProcessBuilder(List.of(Fixtures.NGINX,
                "-p", prefix + "/",
                "-c", prefix.resolve(ConfigBundle.MAIN_FILE).toString(),
                "-e", "stderr",
                "-g", "pid " + prefix.resolve("nginx.pid") + "; daemon off;"))
                .redirectErrorStream(true)
                .redirectOutput(nginxOutput.toFile())
                .start();
        awaitAnswering();
    }

    private void awaitAnswering() throws Exception {
        Await.await("nginx answers on port " + nginxPort, Duration.ofSeconds(15), () -> {
            assertThat(nginx.isAlive()).as("nginx exited early: %s", Files.readString(nginxOutput)).isTrue();
            return get("/_lbm/version").statusCode() == 200;
        });
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nginxPort + path))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
