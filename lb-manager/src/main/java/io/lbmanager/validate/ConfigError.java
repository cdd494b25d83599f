package io.lbmanager.validate;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One complaint of {@code nginx -t} about a rendered bundle, mapped back to the file (relative
 * to the bundle), the line, and the service whose piece it is ({@code null} when the error is in
 * a group-wide file such as {@code nginx.conf}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConfigError(String file, Integer line, String serviceId, String message) {

    /** {@code file:line (service id): message}, the parts that are known. */
    public String describe() {
        String where = ((file == null ? "" : file + (line == null ? "" : ":" + line))
                + (serviceId == null ? "" : " (service " + serviceId + ")")).strip();
        return where.isEmpty() ? message : where + ": " + message;
    }
}
