package io.lbmanager.api.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lbmanager.auth.AuditEntry;

import java.util.List;

/** One audited write: who (token, team, scopes), what (method, path, service, group), the outcome, and the service before and after. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditView(long atMillis, String tokenId, String team, List<String> scopes, List<String> required, String method,
                        String path, String service, String group, int status, String outcome, String message,
                        ServiceView.Definition before, ServiceView.Definition after) {

    public static AuditView of(AuditEntry entry) {
        return new AuditView(entry.atMillis(), entry.tokenId(), entry.team(), entry.scopes(), entry.required(), entry.method(), entry.path(),
                entry.service(), entry.group(), entry.status(), entry.outcome(), entry.message(),
                entry.before() == null ? null : ServiceView.Definition.of(entry.before()),
                entry.after() == null ? null : ServiceView.Definition.of(entry.after()));
    }

    public static List<AuditView> of(List<AuditEntry> entries) {
        return entries.stream().map(AuditView::of).toList();
    }
}
