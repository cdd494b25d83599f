package io.lbmanager.api;

/** The one error body every endpoint answers with. {@code field} is the JSON path of the bad value, or null. */
public record ApiError(int code, String message, String field) {
}
