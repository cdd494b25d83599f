package io.lbmanager.api;

import io.lbmanager.auth.Authentication;
import io.lbmanager.auth.Authenticator;
import io.lbmanager.auth.Caller;
import io.lbmanager.auth.Scope;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.Principal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Lets a request through only with a token holding one of the scopes its endpoint declares (see
 * {@link ScopeFeature}). On success the caller is the request's {@link SecurityContext} principal and
 * its {@code X-LBM-User} header is replaced by the token's identity.
 */
final class ScopeFilter implements ContainerRequestFilter {

    /** Request property: the {@link Caller}, or on a refused token its id (a String) when known. */
    static final String CALLER = "lbm.caller";
    static final String REFUSED_TOKEN = "lbm.refusedToken";
    private static final Logger LOG = LoggerFactory.getLogger(ScopeFilter.class);
    private static final Set<String> TOKEN_PARAMETERS = Set.of("token", "access_token", "bearer", "api_key", "apikey");

    private final Authenticator authenticator;
    /** null: the endpoint declares nothing and is refused; empty: {@code @Public}. */
    private final Scope[] required;
    private final boolean readsNeedToken;
    private final String endpoint;

    ScopeFilter(Authenticator authenticator, Scope[] required, boolean readsNeedToken, String endpoint) {
        this.authenticator = authenticator;
        this.required = required;
        this.readsNeedToken = readsNeedToken;
        this.endpoint = endpoint;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        MultivaluedMap<String, String> query = request.getUriInfo().getQueryParameters();
        for (Map.Entry<String, List<String>> parameter : query.entrySet()) {
            boolean looksLikeToken = parameter.getValue().stream().anyMatch(v -> v != null && v.startsWith("lbm_"));
            if (TOKEN_PARAMETERS.contains(parameter.getKey().toLowerCase(java.util.Locale.ROOT)) || looksLikeToken) {
                request.abortWith(ApiErrors.response(400, "tokens are accepted only in the Authorization: Bearer header, never in the"
                        + " URL (URLs end up in logs and browser history); revoke a token that was sent this way", parameter.getKey()));
                return;
            }
        }
        if (required == null) {
            LOG.error("api endpoint {} declares no scope; refused", endpoint);
            request.abortWith(ApiErrors.response(403, endpoint + " declares no scope, so no token may call it", null));
            return;
        }
        if (required.length == 0) {
            return;
        }
        Authentication authentication = authenticator.authenticate(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        Caller caller;
        if (authentication instanceof Authentication.Authenticated authenticated) {
            caller = authenticated.caller();
        } else if (authentication instanceof Authentication.Missing && !readsNeedToken && Arrays.equals(required, new Scope[]{Scope.READ})) {
            caller = Caller.ANONYMOUS;
        } else if (authentication instanceof Authentication.Refused refused) {
            if (refused.tokenId() != null) {
                request.setProperty(REFUSED_TOKEN, refused.tokenId());
            }
            request.abortWith(unauthorized("token refused: " + refused.reason()));
            return;
        } else {
            request.abortWith(unauthorized(endpoint + " needs a token: send Authorization: Bearer <token>"));
            return;
        }
        request.setProperty(CALLER, caller);
        if (!caller.hasAny(required)) {
            request.abortWith(ApiErrors.response(403, (caller.anonymous() ? "an anonymous caller" : "token " + caller.tokenId()
                    + " (team " + caller.team() + ")") + " lacks the scope " + names(required) + " that " + endpoint + " needs", null));
            return;
        }
        request.getHeaders().putSingle(Actors.HEADER, caller.actor());
        boolean secure = request.getSecurityContext() != null && request.getSecurityContext().isSecure();
        request.setSecurityContext(new CallerContext(caller, secure));
    }

    private static Response unauthorized(String message) {
        return Response.fromResponse(ApiErrors.response(401, message, null)).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    private static String names(Scope[] scopes) {
        return Arrays.stream(scopes).map(Scope::wire).collect(Collectors.joining(" or "));
    }

    /** The caller of the current request, as {@link ScopeFilter} established it. */
    static Caller callerOf(SecurityContext security) {
        if (security != null && security.getUserPrincipal() instanceof Caller caller) {
            return caller;
        }
        return Caller.ANONYMOUS;
    }

    private record CallerContext(Caller caller, boolean secure) implements SecurityContext {
        @Override
        public Principal getUserPrincipal() {
            return caller.anonymous() ? null : caller;
        }

        @Override
        public boolean isUserInRole(String role) {
            return Scope.fromWire(role).map(caller::has).orElse(false);
        }

        @Override
        public boolean isSecure() {
            return secure;
        }

        @Override
        public String getAuthenticationScheme() {
            return "Bearer";
        }
    }
}
