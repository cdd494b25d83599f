package io.lbmanager.api;

import io.lbmanager.auth.AuditEntry;
import io.lbmanager.auth.AuditLog;
import io.lbmanager.auth.Caller;
import io.lbmanager.auth.Scope;
import io.lbmanager.catalog.ServiceDefinition;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Audits one write endpoint: who (token id, team, scopes), what (method, path, service, group), the
 * service definition before and after, and the outcome, refusals included. Logs one line and queues
 * the entry for {@link AuditLog}.
 */
final class AuditFilter implements ContainerRequestFilter, ContainerResponseFilter {

    private static final Logger LOG = LoggerFactory.getLogger("audit");
    private static final String BEFORE = "lbm.audit.before";

    private final AuditLog audit;
    private final List<String> required;
    private final Function<String, Optional<ServiceDefinition>> services;

    AuditFilter(AuditLog audit, Scope[] required, Function<String, Optional<ServiceDefinition>> services) {
        this.audit = audit;
        this.required = Arrays.stream(required).map(Scope::wire).toList();
        this.services = services;
    }

    /** Runs after {@link ScopeFilter} let the request through: remembers the service as it was. */
    @Override
    public void filter(ContainerRequestContext request) {
        ServiceDefinition before = definitionOf(serviceOf(request));
        if (before != null) {
            request.setProperty(BEFORE, before);
        }
    }

    /** The service's stored definition, or null when there is none or it cannot be read. */
    private ServiceDefinition definitionOf(String service) {
        if (service == null || !service.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
            return null;
        }
        try {
            return services.apply(service).orElse(null);
        } catch (RuntimeException e) {
            LOG.warn("audit cannot read service={}: {}", service, e.getMessage());
            return null;
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        Caller caller = request.getProperty(ScopeFilter.CALLER) instanceof Caller c ? c : null;
        String refusedToken = request.getProperty(ScopeFilter.REFUSED_TOKEN) instanceof String id ? id : null;
        int status = response.getStatus();
        String service = serviceOf(request);
        ServiceDefinition before = request.getProperty(BEFORE) instanceof ServiceDefinition d ? d : null;
        ServiceDefinition after = status < 300 && !"DELETE".equals(request.getMethod()) ? definitionOf(service) : null;
        String message = response.getEntity() instanceof ApiError error ? error.message() : null;
        String path = request.getUriInfo().getRequestUri().getRawPath();
        AuditEntry entry = new AuditEntry(System.currentTimeMillis(),
                caller != null ? caller.tokenId() : refusedToken, caller != null ? caller.team() : null,
                caller == null ? List.of() : caller.scopes().stream().map(Scope::wire).sorted().toList(), required,
                request.getMethod(), path, service, request.getUriInfo().getPathParameters().getFirst("group"),
                status, AuditEntry.outcomeOf(status), message, before, after);
        LOG.info("audit token={} team={} scopes={} {} {} service={} status={} outcome={}{}", entry.tokenId(), entry.team(),
                entry.scopes(), entry.method(), path, service, status, entry.outcome(), message == null ? "" : " reason=\"" + message.replaceAll("[\\p{Cntrl}\"]", "?") + "\"");
        audit.record(entry);
    }

    private static String serviceOf(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("api/v1/services/") && !path.startsWith("/api/v1/services/")) {
            return null;
        }
        return request.getUriInfo().getPathParameters().getFirst("id");
    }
}
