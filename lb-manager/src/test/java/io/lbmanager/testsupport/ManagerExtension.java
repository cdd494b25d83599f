package io.lbmanager.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.api.ApiConfig;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The manager fixture of a test class: a {@link RunningManager} against the {@link ZooKeeperExtension}
 * it is given, with its URLs and an HTTP client speaking to it over real HTTP, with the test admin
 * token ({@link TestTokens#ADMIN}) unless sent with {@link #sendAs}.
 * <pre>
 * {@literal @}RegisterExtension
 * static final ZooKeeperExtension ZK = new ZooKeeperExtension();
 * {@literal @}RegisterExtension
 * static final ManagerExtension MANAGER = new ManagerExtension(ZK, zk -> ManagerUnderTest.config(zk, "edge"));
 * </pre>
 * After the class it stops the manager, then runs what was registered with {@link #afterManager},
 * then closes the ZooKeeper: closed any earlier, the manager's in-flight requests wait on a
 * ZooKeeper that is gone and Jetty's graceful stop times out.
 */
public final class ManagerExtension implements BeforeAllCallback, AfterAllCallback {

    /** A response with its body parsed as JSON (null when empty or not JSON, then see {@code text}). */
    public record Reply(int status, JsonNode body, String contentType, String text) {
    }

    private final ZooKeeperExtension zk;
    private final Starter starter;
    private final List<AutoCloseable> afterManager = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private RunningManager manager;

    private interface Starter {
        RunningManager start(String zookeeper) throws Exception;
    }

    /** @param config the manager's configuration for a ZooKeeper connect string */
    public ManagerExtension(ZooKeeperExtension zk, Function<String, LbManagerConfiguration> config) {
        this(zk, (Starter) connect -> RunningManager.start(config.apply(connect)));
    }

    private ManagerExtension(ZooKeeperExtension zk, Starter starter) {
        this.zk = zk;
        this.starter = starter;
        zk.closedBy(this);
    }

    /** Only the catalog API ({@link CatalogApiApplication}) instead of the whole manager. */
    public static ManagerExtension catalogApiOnly(ZooKeeperExtension zk, ApiConfig api) {
        return new ManagerExtension(zk, (Starter) connect -> RunningManager.startCatalogApiOnly(connect, api));
    }

    /** Runs {@code cleanup} after the manager stopped and before its ZooKeeper closes (e.g. removing containers it started). */
    public ManagerExtension afterManager(AutoCloseable cleanup) {
        afterManager.add(cleanup);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        zk.start();
        manager = starter.start(zk.connectString());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (manager != null) {
                manager.close();
            }
            for (AutoCloseable cleanup : afterManager) {
                cleanup.close();
            }
        } finally {
            zk.close();
        }
    }

    public RunningManager manager() {
        return manager;
    }

    public ZooKeeperExtension zk() {
        return zk;
    }

    public int port() {
        return manager.port();
    }

    public int adminPort() {
        return manager.adminPort();
    }

    public String url(String path) {
        return manager.url(path);
    }

    public String api(String path) {
        return manager.api(path);
    }

    public Reply get(String path, String... headers) throws Exception {
        return send(request(path, headers).GET());
    }

    public Reply delete(String path, String... headers) throws Exception {
        return send(request(path, headers).DELETE());
    }

    public Reply putJson(String path, String json, String... headers) throws Exception {
        return send("PUT", path, json, "application/json", headers);
    }

    public Reply postJson(String path, String json, String... headers) throws Exception {
        return send("POST", path, json, "application/json", headers);
    }

    /**
     * @param path        from the manager's root, e.g. {@code /api/v1/services}
     * @param contentType null sends no Content-Type header
     * @param headers     name, value, name, value...
     */
    public Reply send(String method, String path, String body, String contentType, String... headers) throws Exception {
        HttpRequest.Builder builder = request(path, headers)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        return send(builder);
    }

    /**
     * A request with the given token instead of the admin token the other methods send.
     *
     * @param token null sends no Authorization header; body null sends none
     */
    public Reply sendAs(String token, String method, String path, String body) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url(path)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            builder.header("Authorization", TestTokens.bearer(token));
        }
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        return send(builder);
    }

    /** Sends the body with chunked transfer encoding, so the server learns its size only by reading it. */
    public Reply sendChunked(String method, String path, byte[] body) throws Exception {
        return send(request(path).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));
    }

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url(path)))
                .header("Authorization", TestTokens.bearer(TestTokens.ADMIN));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder;
    }

    private Reply send(HttpRequest.Builder builder) throws Exception {
        HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        String contentType = response.headers().firstValue("Content-Type").orElse(null);
        JsonNode body = response.body().isEmpty() || contentType == null || !contentType.startsWith("application/json")
                ? null : ManagerUnderTest.JSON.readTree(response.body());
        return new Reply(response.statusCode(), body, contentType, response.body());
    }
}
