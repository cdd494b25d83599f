package io.lbmanager.api;

import io.lbmanager.catalog.CatalogWrites;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;

/**
 * Tells {@link CatalogWrites} when a {@link WritesCatalog} call starts (before authentication, which
 * may take a while) and when its answer is ready, refusals included.
 */
@WritesCatalog
@Priority(Priorities.AUTHENTICATION - 200)
public final class CatalogWriteFilter implements ContainerRequestFilter, ContainerResponseFilter {

    private static final String CALL = CatalogWriteFilter.class.getName() + ".call";

    private final CatalogWrites writes;

    public CatalogWriteFilter(CatalogWrites writes) {
        this.writes = writes;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        request.setProperty(CALL, writes.begin());
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getProperty(CALL) instanceof Long call) {
            request.removeProperty(CALL);
            writes.end(call);
        }
    }
}
