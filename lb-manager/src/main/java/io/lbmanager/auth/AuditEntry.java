package io.lbmanager.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lbmanager.catalog.ServiceDefinition;

import java.util.List;

/**
 * One write request and how it ended.
 *
 * @param scopes   the caller's scopes (empty when no token was accepted)
 * @param required the scopes the endpoint accepts (one is enough)
 * @param outcome  {@code ok} (2xx), {@code refused} (401/403), {@code rejected} (other 4xx), {@code failed} (5xx)
 * @param before   a service's definition before a service write, when there was one
 * @param after    a service's definition after a successful service write, unless deleted
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditEntry(long atMillis, String tokenId, String team, List<String> scopes, List<String> required, String method,
                         String path, String service, String group, int status, String outcome, String message,
                         ServiceDefinition before, ServiceDefinition after) {

    public static String outcomeOf(int status) {
        if (status < 400) {
            return "ok";
        }
        if (status == 401 || status == 403) {
            return "refused";
        }
        return status < 500 ? "rejected" : "failed";
    }
}
