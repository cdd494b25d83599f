package io.lbmanager.fleet.singularity;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Plain JSON over HTTP to Singularity's API ({@code {baseUrl}/api/...}). Every call has a timeout;
 * only idempotent calls are retried (on connection errors and 5xx answers), with a short backoff.
 * An {@code Authorization} header is sent when configured.
 */
public final class SingularityHttp {

    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    /** Whether a call may be sent again when it is not known to have arrived. */
    enum Retry { IDEMPOTENT, ONCE }

    private final String baseUrl;
    private final Optional<String> authorization;
    private final Duration requestTimeout;
    private final int retries;
    private final HttpClient http;

    /**
     * @param baseUrl       e.g. {@code http://singularity:7099/singularity}
     * @param authorization the Authorization header's value, or empty
     */
    public SingularityHttp(String baseUrl, Optional<String> authorization, Duration connectTimeout, Duration requestTimeout,
                           int retries) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.authorization = authorization.filter(value -> !value.isBlank());
        this.requestTimeout = requestTimeout;
        this.retries = retries;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** GET; empty on 404. */
    <T> Optional<T> get(String path, Class<T> type) {
        HttpResponse<String> response = send("GET", path, null, Retry.IDEMPOTENT, true);
        return response.statusCode() == 404 ? Optional.empty() : Optional.of(parse(response, type));
    }

    <T> T post(String path, Object body, Class<T> type, Retry retry) {
        return parse(send("POST", path, body, retry, false), type);
    }

    void put(String path, Object body) {
        send("PUT", path, body, Retry.ONCE, false);
    }

    void delete(String path) {
        send("DELETE", path, null, Retry.ONCE, false);
    }

    /** The JSON a call would send; tests hand it to Singularity's own model classes. */
    static byte[] bodyBytes(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> send(String method, String path, Object body, Retry retry, boolean notFoundIsAnswer) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + "/api" + path))
                .timeout(requestTimeout)
                .header("Accept", "application/json");
        authorization.ifPresent(value -> builder.header("Authorization", value));
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(bodyBytes(body)));
        }
        HttpRequest request = builder.build();
        int attempts = retry == Retry.IDEMPOTENT ? retries + 1 : 1;
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status >= 200 && status < 300 || (notFoundIsAnswer && status == 404)) {
                    return response;
                }
                if (status < 500 || attempt >= attempts) {
                    throw new SingularityException(status, method, path, response.body());
                }
            } catch (IOException e) {
                if (attempt >= attempts) {
                    throw new UncheckedIOException("Singularity did not answer " + method + " " + path + ": " + e, e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted calling Singularity " + method + " " + path, e);
            }
            sleep(200L * attempt);
        }
    }

    private static <T> T parse(HttpResponse<String> response, Class<T> type) {
        try {
            return JSON.readValue(response.body(), type);
        } catch (IOException e) {
            throw new IllegalStateException("Singularity answered JSON we cannot read (" + type.getSimpleName() + "): "
                    + e.getMessage(), e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
