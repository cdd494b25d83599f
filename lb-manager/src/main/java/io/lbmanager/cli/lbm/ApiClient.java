package io.lbmanager.cli.lbm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.lbmanager.zk.Json;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;

/**
 * lb-manager's REST API over the JDK's HttpClient: the token as {@code Authorization: Bearer},
 * bodies as JSON with the project's mapper, an answer of 400 or more as an {@link ApiRefusedException}.
 */
final class ApiClient {

    /** An answer: its status and its JSON body ({@code null} node when there was none). */
    record Reply(int status, JsonNode body) {
        <T> T as(Class<T> type) {
            try {
                return Json.MAPPER.treeToValue(body, type);
            } catch (JsonProcessingException e) {
                throw new ManagerUnreachableException("the manager's answer does not parse as " + type.getSimpleName() + ": "
                        + e.getOriginalMessage());
            }
        }
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);

    private final String url;
    private final String token;
    private final HttpClient http;

    /** @param caFile PEM file of the CA(s) an https manager's certificate is checked against, or null for the JDK's trusted CAs */
    ApiClient(String url, String token, Path caFile) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.token = token == null || token.isBlank() ? null : token;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT);
        if (caFile != null) {
            builder.sslContext(trusting(caFile));
        }
        this.http = builder.build();
    }

    String url() {
        return url;
    }

    boolean hasToken() {
        return token != null;
    }

    Reply get(String path) {
        return call("GET", path, null);
    }

    /** Sends and returns the answer; 400 and above throw {@link ApiRefusedException}. */
    Reply call(String method, String path, Object body) {
        Reply reply = exchange(method, path, body);
        if (reply.status() >= 400) {
            throw refusal(reply);
        }
        return reply;
    }

    /** Sends and returns the answer whatever its status. */
    Reply exchange(String method, String path, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(Json.write(body)));
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ManagerUnreachableException("cannot reach " + url + ": " + whyUnreachable(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ManagerUnreachableException("interrupted while waiting for " + url);
        }
        return new Reply(response.statusCode(), parse(response.body()));
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return NullNode.getInstance();
        }
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    static ApiRefusedException refusal(Reply reply) {
        JsonNode body = reply.body();
        if (body == null || !body.path("message").isTextual()) {
            return new ApiRefusedException(reply.status(), null, null, body != null && body.isObject() ? body : null);
        }
        String field = body.path("field").isTextual() ? body.path("field").asText() : null;
        return new ApiRefusedException(reply.status(), body.path("message").asText(), field, body);
    }

    private static String whyUnreachable(IOException e) {
        Throwable cause = e;
        while (cause != null) {
            if (cause instanceof SSLHandshakeException) {
                return "its TLS certificate is not trusted (give its CA's PEM file with -c or LBM_CACERT): " + cause.getMessage();
            }
            if (cause instanceof ConnectException) {
                return "connection refused";
            }
            if (cause instanceof HttpTimeoutException) {
                return "no answer in time";
            }
            cause = cause.getCause();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static SSLContext trusting(Path caFile) {
        try (InputStream pem = Files.newInputStream(caFile)) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int n = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
                trusted.setCertificateEntry("ca-" + n++, certificate);
            }
            if (n == 0) {
                throw new UsageException("no certificate in CA file " + caFile);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trust.getTrustManagers(), null);
            return tls;
        } catch (IOException e) {
            throw new UsageException("cannot read CA file " + caFile);
        } catch (GeneralSecurityException e) {
            throw new UsageException("CA file " + caFile + " holds no usable certificate: " + e.getMessage());
        }
    }
}
