package io.lbmanager.testsupport.singularity;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.guava.GuavaModule;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.hubspot.singularity.SingularityDeploy;
import com.hubspot.singularity.SingularityDeployHistory;
import com.hubspot.singularity.SingularityRequest;
import com.hubspot.singularity.SingularityRequestParent;
import com.hubspot.singularity.SingularityTask;
import com.hubspot.singularity.SingularityTaskIdsByStatus;
import com.hubspot.singularity.SingularityUpdatePendingDeployRequest;
import com.hubspot.singularity.api.SingularityDeployRequest;
import com.hubspot.singularity.api.SingularityScaleRequest;

import java.io.IOException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Singularity 1.5.0's own model classes (SingularityBase, test scope) as the judge of our JSON:
 * unknown properties fail, so a body that parses here is one Singularity reads with nothing ignored.
 */
public final class SingularityOracle {

    public static final ObjectMapper STRICT = new ObjectMapper()
            .registerModule(new Jdk8Module())
            .registerModule(new GuavaModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private SingularityOracle() {
    }

    public static <T> T parse(String json, Class<T> type) {
        try {
            return STRICT.readValue(json, type);
        } catch (IOException e) {
            throw new AssertionError("Singularity's " + type.getSimpleName() + " does not accept " + json + ": " + e.getMessage(), e);
        }
    }

    /** The model class of the body a client sends to {@code METHOD path}, if the call has a body. */
    public static Optional<Class<?>> requestModel(String method, String path) {
        if (method.equals("POST") && path.equals("/requests")) {
            return Optional.of(SingularityRequest.class);
        }
        if (method.equals("POST") && path.equals("/deploys")) {
            return Optional.of(SingularityDeployRequest.class);
        }
        if (method.equals("POST") && path.equals("/deploys/update")) {
            return Optional.of(SingularityUpdatePendingDeployRequest.class);
        }
        if (method.equals("PUT") && path.endsWith("/scale")) {
            return Optional.of(SingularityScaleRequest.class);
        }
        return Optional.empty();
    }

    /** The model class of a 2xx answer to {@code METHOD path}. */
    public static Optional<Class<?>> responseModel(String method, String path) {
        if (path.startsWith("/requests") || path.startsWith("/deploys")) {
            return Optional.of(SingularityRequestParent.class);
        }
        if (Pattern.matches("/history/request/[^/]+/deploy/[^/]+", path)) {
            return Optional.of(SingularityDeployHistory.class);
        }
        if (path.startsWith("/tasks/ids/request/")) {
            return Optional.of(SingularityTaskIdsByStatus.class);
        }
        if (path.startsWith("/tasks/task/")) {
            return Optional.of(SingularityTask.class);
        }
        if (path.startsWith("/history/task/")) {
            return Optional.of(com.hubspot.singularity.SingularityTaskHistory.class);
        }
        if (Pattern.matches("/sandbox/[^/]+/read", path)) {
            return Optional.of(com.hubspot.mesos.json.MesosFileChunkObject.class);
        }
        return Optional.empty();
    }

    /** Every body of the exchange parses with the class Singularity uses for it. */
    public static void assertSingularityParses(SingularitySimulator.Exchange exchange) {
        requestModel(exchange.method(), exchange.path()).ifPresent(type -> parse(exchange.requestBody(), type));
        if (exchange.status() >= 200 && exchange.status() < 300) {
            responseModel(exchange.method(), exchange.path()).ifPresent(type -> parse(exchange.responseBody(), type));
        }
    }

    /** A deploy alone (as it sits inside a deploy request). */
    public static SingularityDeploy parseDeploy(String json) {
        return parse(json, SingularityDeploy.class);
    }
}
