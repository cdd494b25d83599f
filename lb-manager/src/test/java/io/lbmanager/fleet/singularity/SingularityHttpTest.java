package io.lbmanager.fleet.singularity;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Timeouts, retries of idempotent calls only, error bodies and the Authorization header, against a real HTTP server. */
class SingularityHttpTest {

    private final AtomicInteger calls = new AtomicInteger();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private HttpServer server;

    /** Answers {@code failures} times with {@code failStatus} (or sleeps {@code delayMillis}), then 200 {}. */
    private String serve(int failures, int failStatus, String failBody, long delayMillis) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/singularity/api/", exchange -> {
            try (exchange) {
                int call = calls.incrementAndGet();
                authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
                exchange.getRequestBody().readAllBytes();
                if (delayMillis > 0) {
                    sleep(delayMillis);
                }
                boolean fail = call <= failures;
                byte[] body = (fail ? failBody : "{}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", fail ? "text/plain" : "application/json");
                exchange.sendResponseHeaders(fail ? failStatus : 200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/singularity";
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private SingularityHttp client(String baseUrl, String authorization, Duration timeout) {
        return new SingularityHttp(baseUrl, Optional.of(authorization), Duration.ofSeconds(1), timeout, 2);
    }

    @Test
    void aGetIsRetriedAfter5xxAndSucceeds() throws Exception {
        SingularityHttp http = client(serve(2, 503, "busy", 0), "", Duration.ofSeconds(2));

        assertThat(http.get("/requests/request/lb-nginx-edge", JsonNode.class)).isPresent();
        assertThat(calls.get()).isEqualTo(3);
    }

    @Test
    void aDeployIsNeverSentTwice() throws Exception {
        SingularityHttp http = client(serve(1, 503, "busy", 0), "", Duration.ofSeconds(2));

        assertThatThrownBy(() -> http.post("/deploys", new SingularityModel.Scale(1, "x"), JsonNode.class, SingularityHttp.Retry.ONCE))
                .isInstanceOf(SingularityException.class).hasMessageContaining("503");
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void aPlainText400IsReportedWithItsBodyAndNotRetried() throws Exception {
        SingularityHttp http = client(serve(5, 400, "Can not deploy a deploy that has already been deployed", 0), "",
                Duration.ofSeconds(2));

        assertThatThrownBy(() -> http.get("/requests/request/x", JsonNode.class))
                .isInstanceOfSatisfying(SingularityException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageContaining("already been deployed");
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void aSlowAnswerTimesOutAndIdempotentCallsTryAgainBoundedly() throws Exception {
        SingularityHttp http = client(serve(0, 200, "", 1500), "", Duration.ofMillis(300));
        long start = System.nanoTime();

        assertThatThrownBy(() -> http.get("/tasks/ids/request/x", JsonNode.class)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("did not answer");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500 + 600 + 1000));
        assertThat(calls.get()).isBetween(1, 3);
    }

    @Test
    void theAuthorizationHeaderIsSentOnlyWhenConfigured() throws Exception {
        String url = serve(0, 200, "", 0);
        client(url, "Bearer s3cret", Duration.ofSeconds(2)).get("/requests/request/x", JsonNode.class);
        client(url, "", Duration.ofSeconds(2)).get("/requests/request/x", JsonNode.class);

        assertThat(authorizations).containsExactly("Bearer s3cret", "null");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
