package io.lbmanager.api;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.UriBuilder;

import java.util.List;

/**
 * Singularity's load-balancer client can send no header, only the query parameters of its
 * {@code loadBalancerQueryParams}; Baragon reads its key from {@code ?authkey=}. On the Baragon paths
 * only, this moves {@code authkey} into {@code Authorization: Bearer} and out of the URI before
 * anything else sees the request, so the token is checked, scoped and audited like any other. A
 * request that also carries an Authorization header is left as it is (the key is dropped).
 * Everywhere else a token in the URL stays refused ({@link ScopeFilter}).
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
final class BaragonAuthKeyFilter implements ContainerRequestFilter {

    static final String PARAMETER = "authkey";
    private static final String PATH = "baragon/";

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!(path.startsWith(PATH) || path.startsWith("/" + PATH))) {
            return;
        }
        List<String> keys = request.getUriInfo().getQueryParameters().get(PARAMETER);
        if (keys == null || keys.isEmpty()) {
            return;
        }
        if (request.getHeaderString(HttpHeaders.AUTHORIZATION) == null && keys.size() == 1 && !keys.get(0).isBlank()) {
            request.getHeaders().putSingle(HttpHeaders.AUTHORIZATION, "Bearer " + keys.get(0));
        }
        request.setRequestUri(UriBuilder.fromUri(request.getUriInfo().getRequestUri()).replaceQueryParam(PARAMETER).build());
    }
}
