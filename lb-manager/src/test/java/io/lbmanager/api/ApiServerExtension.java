package io.lbmanager.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.logging.common.DefaultLoggingFactory;
import io.dropwizard.request.logging.LogbackAccessRequestLogFactory;
import io.dropwizard.testing.DropwizardTestSupport;
import io.lbmanager.testsupport.TestTokens;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The catalog API served by a real Jetty on a free port, against the ZooKeeper of a
 * {@link ZooKeeperExtension} registered before this one. Requests go over real HTTP, with the test
 * admin token ({@link TestTokens#ADMIN}) unless sent with {@link #sendAs}.
 */
public final class ApiServerExtension implements BeforeAllCallback, AfterAllCallback {

    public static final int MAX_BODY_BYTES = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ZooKeeperExtension zk;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private DropwizardTestSupport<ApiTestApplication.Config> app;

    public ApiServerExtension(ZooKeeperExtension zk) {
        this.zk = zk;
    }

    /** A response with its body parsed as JSON (null when empty or not JSON, then see {@code text}). */
    public record Reply(int status, JsonNode body, String contentType, String text) {
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        ApiTestApplication.Config config = new ApiTestApplication.Config();
        config.zkConnect = zk.connectString();
        config.api.maxBodyBytes = MAX_BODY_BYTES;
        config.api.adminTokenFile = TestTokens.adminTokenFile();
        DefaultServerFactory server = (DefaultServerFactory) config.getServerFactory();
        ((HttpConnectorFactory) server.getApplicationConnectors().get(0)).setPort(0);
        ((HttpConnectorFactory) server.getAdminConnectors().get(0)).setPort(0);
        ((DefaultLoggingFactory) config.getLoggingFactory()).setLevel("WARN");
        ((LogbackAccessRequestLogFactory) server.getRequestLogFactory()).setAppenders(List.of());
        app = new DropwizardTestSupport<>(ApiTestApplication.class, config);
        app.before();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (app != null) {
            app.after();
        }
    }

    public Reply get(String path) throws Exception {
        return send(request(path).GET());
    }

    /**
     * A request with the given token instead of the admin token the other methods send.
     *
     * @param token null sends no Authorization header; body null sends none
     */
    public Reply sendAs(String token, String method, String path, String body) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getLocalPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            builder.header("Authorization", TestTokens.bearer(token));
        }
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        return send(builder);
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

    /** @param contentType null sends no Content-Type header */
    public Reply send(String method, String path, String body, String contentType, String... headers) throws Exception {
        HttpRequest.Builder builder = request(path, headers)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        return send(builder);
    }

    /** Sends the body with chunked transfer encoding, so the server learns its size only by reading it. */
    public Reply sendChunked(String method, String path, byte[] body) throws Exception {
        return send(request(path).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));
    }

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getLocalPort() + path))
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
                ? null : JSON.readTree(response.body());
        return new Reply(response.statusCode(), body, contentType, response.body());
    }
}
