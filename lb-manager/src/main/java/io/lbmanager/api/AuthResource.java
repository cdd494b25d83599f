package io.lbmanager.api;

import io.lbmanager.auth.Caller;
import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

import java.util.Arrays;
import java.util.List;

/** Who the caller's token says it is, and what it may do: {@code GET /api/v1/auth/whoami}. */
@Path("/api/v1/auth")
@Produces(MediaType.APPLICATION_JSON)
public final class AuthResource {

    /** @param scopes every scope the token holds, admin and read expanded (what the dashboard shows actions for) */
    public record WhoAmI(String tokenId, String team, boolean anonymous, List<String> scopes) {
    }

    @GET
    @Path("whoami")
    @Requires(Scope.READ)
    public WhoAmI whoAmI(@Context SecurityContext security) {
        Caller caller = ScopeFilter.callerOf(security);
        List<String> scopes = Arrays.stream(Scope.values()).filter(caller::has).map(Scope::wire).toList();
        return new WhoAmI(caller.tokenId(), caller.team(), caller.anonymous(), scopes);
    }
}
