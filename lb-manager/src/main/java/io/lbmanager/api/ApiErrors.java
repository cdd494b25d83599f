package io.lbmanager.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.dropwizard.jersey.setup.JerseyEnvironment;
import io.lbmanager.errors.ConflictException;
import io.lbmanager.errors.InvalidInputException;
import io.lbmanager.errors.NotFoundException;
import io.lbmanager.errors.StoreUnavailableException;
import io.lbmanager.fleet.BackendRefusedException;
import io.lbmanager.validate.JailUnavailableException;
import io.lbmanager.validate.ValidationOverloadedException;
import io.lbmanager.zk.CorruptNodeException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Every error the API answers is an {@link ApiError} JSON body. Dropwizard's default mappers stay
 * registered ({@code server.registerDefaultExceptionMappers} untouched); with Dropwizard 5.0.1 these
 * win over them for the same exception types (ApiErrorFormatTest runs with the defaults on). The
 * explicit priority is a guard against that tie-break changing.
 */
public final class ApiErrors {

    /** Lower means preferred when two mappers are equally specific. */
    static final int PRIORITY = 1;
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    private ApiErrors() {
    }

    public static void register(JerseyEnvironment jersey) {
        for (ExceptionMapper<?> mapper : new ExceptionMapper<?>[]{
                new InvalidInputMapper(), new ConflictMapper(), new NotInCatalogMapper(), new CorruptNodeMapper(),
                new CatalogUnavailableMapper(), new ValidationOverloadedMapper(), new JailUnavailableMapper(), new BackendRefusedMapper(), new JsonBodyMapper(), new WebApplicationMapper(),
                new AnythingElseMapper()}) {
            jersey.getResourceConfig().register(mapper, PRIORITY);
        }
    }

    public static Response response(int status, String message, String field) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiError(status, message, field)).build();
    }

    /** The JSON path of the value Jackson stumbled on: {@code owners[1]}, {@code options}, or null for syntax errors. */
    static String fieldOf(JsonProcessingException e) {
        if (!(e instanceof JsonMappingException mapping) || mapping.getPath().isEmpty()) {
            return null;
        }
        StringBuilder field = new StringBuilder();
        for (JsonMappingException.Reference reference : mapping.getPath()) {
            if (reference.getFieldName() != null) {
                field.append(field.isEmpty() ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                field.append('[').append(reference.getIndex()).append(']');
            }
        }
        return field.isEmpty() ? null : field.toString();
    }

    static final class InvalidInputMapper implements ExceptionMapper<InvalidInputException> {
        @Override
        public Response toResponse(InvalidInputException e) {
            return response(422, e.field() + " " + e.getMessage(), e.field());
        }
    }

    static final class ConflictMapper implements ExceptionMapper<ConflictException> {
        @Override
        public Response toResponse(ConflictException e) {
            return response(409, e.getMessage(), e.field());
        }
    }

    static final class NotInCatalogMapper implements ExceptionMapper<NotFoundException> {
        @Override
        public Response toResponse(NotFoundException e) {
            return response(404, e.getMessage(), e.field());
        }
    }

    static final class CorruptNodeMapper implements ExceptionMapper<CorruptNodeException> {
        @Override
        public Response toResponse(CorruptNodeException e) {
            LOG.error("api answered 500: {}", e.getMessage());
            return response(500, e.getMessage(), null);
        }
    }

    static final class CatalogUnavailableMapper implements ExceptionMapper<StoreUnavailableException> {
        @Override
        public Response toResponse(StoreUnavailableException e) {
            LOG.error("api answered 503: {}", e.getMessage(), e);
            return response(503, "the catalog store (ZooKeeper) is unavailable; retry later", null);
        }
    }

    static final class ValidationOverloadedMapper implements ExceptionMapper<ValidationOverloadedException> {
        @Override
        public Response toResponse(ValidationOverloadedException e) {
            LOG.warn("api answered 503: {}", e.getMessage());
            return Response.fromResponse(response(503, e.getMessage(), null))
                    .header(HttpHeaders.RETRY_AFTER, e.retryAfterSeconds())
                    .build();
        }
    }

    static final class JailUnavailableMapper implements ExceptionMapper<JailUnavailableException> {
        @Override
        public Response toResponse(JailUnavailableException e) {
            LOG.error("api answered 503: {}", e.getMessage());
            return response(503, e.getMessage(), null);
        }
    }

    /** The fleet's scheduler refused (409) or failed (502): the caller reads what it said. */
    static final class BackendRefusedMapper implements ExceptionMapper<BackendRefusedException> {
        @Override
        public Response toResponse(BackendRefusedException e) {
            if (e.refusal()) {
                LOG.info("api answered 409: {}", e.getMessage());
                return response(409, e.backend() + " refused (" + e.status() + "): " + e.words(), null);
            }
            LOG.warn("api answered 502: {}", e.getMessage());
            return response(502, e.backend() + " failed (" + e.status() + "): " + e.words(), null);
        }
    }

    static final class JsonBodyMapper implements ExceptionMapper<JsonProcessingException> {
        @Override
        public Response toResponse(JsonProcessingException e) {
            String field = fieldOf(e);
            JsonLocation location = e.getLocation();
            String where = location == null || location.getLineNr() < 0 ? ""
                    : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
            String what = field == null ? "malformed JSON: " : "wrong JSON at " + field + ": ";
            return response(400, what + firstLine(e.getOriginalMessage()) + where, field);
        }

        private static String firstLine(String message) {
            if (message == null) {
                return "unreadable";
            }
            int end = message.length();
            for (String noise : new String[]{"\n", " (start marker at", " at [Source"}) {
                int at = message.indexOf(noise);
                if (at >= 0 && at < end) {
                    end = at;
                }
            }
            return message.substring(0, end);
        }
    }

    static final class WebApplicationMapper implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status >= 500) {
                LOG.error("api answered {}", status, e);
            }
            return response(status, e.getMessage(), null);
        }
    }

    static final class AnythingElseMapper implements ExceptionMapper<Throwable> {
        @Override
        public Response toResponse(Throwable e) {
            String incident = UUID.randomUUID().toString();
            LOG.error("api answered 500 incident={}", incident, e);
            return response(500, "internal error (incident " + incident + ")", null);
        }
    }
}
