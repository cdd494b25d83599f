package io.lbmanager.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.config.FleetConfig;
import io.lbmanager.signing.KeygenCommand;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Configuration and HTTP helpers for tests that run the whole manager ({@link RunningManager},
 * {@link ManagerExtension}) against a real ZooKeeper.
 */
public final class ManagerUnderTest {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ManagerUnderTest() {
    }

    /** A manager on free loopback ports, using the repository's templates/ and the given ZooKeeper. */
    public static LbManagerConfiguration config(String zookeeper, String... groups) {
        LbManagerConfiguration config = new LbManagerConfiguration();
        config.zookeeper.connectString = zookeeper;
        config.nginx.templatesDir = templatesDir().toString();
        // Every service as location files, as before issue 14: these managers' agents push no routing tables. Routing tests opt in.
        config.nginx.routing = "files";
        config.pipeline.quietMillis = 50;
        config.pipeline.maxDelayMillis = 300;
        config.api.adminTokenFile = TestTokens.adminTokenFile();
        config.groups.addAll(List.of(groups));
        DefaultServerFactory server = new DefaultServerFactory();
        server.setApplicationConnectors(List.of(loopbackConnector()));
        server.setAdminConnectors(List.of(loopbackConnector()));
        config.setServerFactory(server);
        return config;
    }

    /** A manager that runs {@code instances} Nginx containers of the image under test for {@code group} on local Docker. */
    public static LbManagerConfiguration withDockerFleet(String zookeeper, String fleet, String group, int instances) {
        LbManagerConfiguration config = config(zookeeper, group);
        config.fleet.backend = FleetConfig.Backend.DOCKER;
        config.fleet.image = DockerSupport.image();
        config.fleet.name = fleet;
        config.fleet.instances.put(group, instances);
        return config;
    }

    /** ZooKeeper credentials {@link #trusting} gives the manager and its agents. */
    public static final String MANAGER_AUTH = "lbm-manager:manager-secret";
    public static final String AGENT_AUTH = "lbm-agent:agent-secret";

    /**
     * The configuration with ZooKeeper ACLs ({@link #MANAGER_AUTH}, {@link #AGENT_AUTH}) and version
     * signing with the key pair in {@code keyDir}, made there first if it is not yet.
     */
    public static LbManagerConfiguration trusting(LbManagerConfiguration config, Path keyDir) throws Exception {
        if (!java.nio.file.Files.exists(keyDir.resolve(KeygenCommand.PRIVATE_FILE))) {
            KeygenCommand.write(keyDir);
        }
        config.zookeeper.auth.manager = MANAGER_AUTH;
        config.zookeeper.auth.agent = AGENT_AUTH;
        config.signing.privateKeyFile = keyDir.resolve(KeygenCommand.PRIVATE_FILE).toString();
        config.signing.publicKeyFile = keyDir.resolve(KeygenCommand.PUBLIC_FILE).toString();
        return config;
    }

    public static Path templatesDir() {
        String configured = System.getProperty("lbm.templates");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path fromModule = Path.of("..", "templates");
        return fromModule.toFile().isDirectory() ? fromModule : Path.of("templates");
    }

    private static HttpConnectorFactory loopbackConnector() {
        HttpConnectorFactory connector = new HttpConnectorFactory();
        connector.setBindHost("127.0.0.1");
        connector.setPort(0);
        return connector;
    }

    /** Sends with the test admin token ({@link TestTokens#ADMIN}). */
    public static HttpResponse<String> send(String method, String url, String jsonBody) throws Exception {
        return sendAs(TestTokens.ADMIN, method, url, jsonBody);
    }

    /** @param token sent as {@code Authorization: Bearer}; null sends none */
    public static HttpResponse<String> sendAs(String token, String method, String url, String jsonBody) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", TestTokens.bearer(token));
        }
        if (jsonBody == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Announces a body of {@code declaredLength} bytes but sends none, and returns the status line the
     * server answers with: how a size limit is checked without racing the server's early close.
     */
    public static String statusLineForDeclaredBody(String host, int port, String method, String path, int declaredLength)
            throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket(host, port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                    + "Authorization: " + TestTokens.bearer(TestTokens.ADMIN) + "\r\n"
                    + "Content-Length: " + declaredLength + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
        }
    }

    public static HttpResponse<String> get(String url) throws Exception {
        return send("GET", url, null);
    }

    public static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

}
