package io.lbmanager.cli.lbm;

import com.fasterxml.jackson.databind.JsonNode;

/** The manager answered 4xx or 5xx: its status, and its error body {@code {code, message, field}} when it sent one. */
final class ApiRefusedException extends RuntimeException {

    private final int status;
    private final String field;
    private final transient JsonNode body;

    ApiRefusedException(int status, String message, String field, JsonNode body) {
        super(message);
        this.status = status;
        this.field = field;
        this.body = body;
    }

    int status() {
        return status;
    }

    /** The line lbm prints: {@code 409 the message (field basePath)}. */
    String describe() {
        if (getMessage() == null) {
            return "HTTP " + status;
        }
        return status + " " + getMessage() + (field == null ? "" : " (field " + field + ")");
    }

    /** The API's error body, or null when the answer was not JSON. */
    JsonNode body() {
        return body;
    }
}
