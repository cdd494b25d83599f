package io.lbmanager.validate;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One complaint of {@code nginx -t} about a rendered bundle, mapped back to the file (relative
 * to the bundle), the line, and the service whose piece it is ({@code null} when the error is in
 * a group-wide file such as {@code nginx.conf}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConfigError(String file, Integer line, String serviceId, String message) {
}
