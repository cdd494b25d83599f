package io.lbmanager.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.lbmanager.api.view.TokenViews;
import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.lbmanager.auth.TokenAdmin;
import io.lbmanager.errors.InvalidInputException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

import java.io.InputStream;
import java.util.List;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/** API tokens, admin only: {@code /api/v1/tokens}. A secret is in the answer to create and rotate, and nowhere else. */
@Path("/api/v1/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Requires(Scope.ADMIN)
public final class TokensResource {

    /** @param ttl {@code 90d}, {@code 12h}, {@code 30m} or {@code never} (the default) */
    public record CreateRequest(String team, List<String> scopes, String ttl) {
    }

    private final TokenAdmin tokens;
    private final RequestBodies bodies;

    public TokensResource(TokenAdmin tokens, RequestBodies bodies) {
        this.tokens = tokens;
        this.bodies = bodies;
    }

    @GET
    public List<TokenViews.Token> list() {
        return TokenViews.Token.of(tokens.list());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = CreateRequest.class)))
    @ApiResponse(responseCode = "201", content = @Content(schema = @Schema(implementation = TokenViews.Issued.class)))
    public Response create(@Context SecurityContext security, @Context HttpHeaders headers, InputStream body)
            throws JsonProcessingException {
        CreateRequest request = bodies.read(headers, body, CreateRequest.class);
        if (request == null) {
            throw new InvalidInputException("team", "give team, scopes and optionally ttl");
        }
        TokenAdmin.Issued issued = tokens.create(request.team(), request.scopes(), request.ttl(), ScopeFilter.callerOf(security).actor());
        return Response.status(201).entity(TokenViews.Issued.of(issued)).build();
    }

    @DELETE
    @Path("{id}")
    public TokenViews.Token revoke(@PathParam("id") String id, @Context SecurityContext security) {
        return TokenViews.Token.of(tokens.revoke(id, ScopeFilter.callerOf(security).actor()));
    }

    @POST
    @Path("{id}/rotate")
    public TokenViews.Issued rotate(@PathParam("id") String id, @Context SecurityContext security) {
        return TokenViews.Issued.of(tokens.rotate(id, ScopeFilter.callerOf(security).actor()));
    }
}
