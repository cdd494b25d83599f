package io.lbmanager.api;

import io.lbmanager.api.view.AuditView;
import io.lbmanager.auth.AuditEntry;
import io.lbmanager.auth.AuditLog;
import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.lbmanager.errors.InvalidInputException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Predicate;

/** The audit trail, newest first: {@code GET /api/v1/audit?team=&service=&since=&outcome=&limit=}. */
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public final class AuditResource {

    static final int MAX_LIMIT = 1000;
    private static final List<String> OUTCOMES = List.of("ok", "refused", "rejected", "failed");

    private final AuditLog audit;

    public AuditResource(AuditLog audit) {
        this.audit = audit;
    }

    @GET
    @Requires(Scope.READ)
    public List<AuditView> entries(@QueryParam("team") String team, @QueryParam("service") String service,
                                    @QueryParam("since") String since, @QueryParam("outcome") String outcome,
                                    @QueryParam("limit") Integer limit) throws InterruptedException {
        int count = limit == null ? 100 : limit;
        if (count < 1 || count > MAX_LIMIT) {
            throw new InvalidInputException("limit", "must be between 1 and " + MAX_LIMIT);
        }
        if (outcome != null && !OUTCOMES.contains(outcome) && !outcome.matches("[1-5][0-9][0-9]")) {
            throw new InvalidInputException("outcome", "must be one of " + OUTCOMES + " or an HTTP status such as 403");
        }
        long sinceMillis = sinceMillis(since);
        Predicate<AuditEntry> filter = entry -> (team == null || team.equals(entry.team()))
                && (service == null || service.equals(entry.service()))
                && entry.atMillis() >= sinceMillis
                && (outcome == null || outcome.equals(entry.outcome()) || outcome.equals(Integer.toString(entry.status())));
        audit.awaitWritten(2000);
        return AuditView.of(audit.newest(filter, count));
    }

    private static long sinceMillis(String since) {
        if (since == null || since.isEmpty()) {
            return 0;
        }
        if (since.matches("[0-9]{1,15}")) {
            return Long.parseLong(since);
        }
        try {
            return Instant.parse(since).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new InvalidInputException("since", "must be epoch milliseconds or an ISO-8601 instant like 2026-01-31T12:00:00Z");
        }
    }
}
