package io.lbmanager.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.lbmanager.api.view.ServiceView;
import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.catalog.InputRules;
import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServicePut;
import io.lbmanager.catalog.ServiceValidator;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.catalog.UpstreamValidator;
import io.lbmanager.errors.NotFoundException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

import java.io.InputStream;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/** Services and their static upstreams: {@code /api/v1/services}. */
@Path("/api/v1/services")
@Produces(MediaType.APPLICATION_JSON)
public final class ServicesResource {

    private final CatalogStore store;
    private final ServiceValidator validator;
    private final RequestBodies bodies;
    private final ServiceOwnership ownership;

    public ServicesResource(CatalogStore store, RequestBodies bodies) {
        this.store = store;
        this.validator = new ServiceValidator(store::groupExists);
        this.bodies = bodies;
        this.ownership = new ServiceOwnership(store);
    }

    @Requires(Scope.READ)
    @GET
    public ServiceView.Listing list() {
        return ServiceView.Listing.of(store.services());
    }

    @Requires(Scope.READ)
    @GET
    @Path("{id}")
    public ServiceView get(@PathParam("id") String id) {
        return ServiceView.of(store.service(InputRules.requireName("id", id)).orElseThrow(() -> unknownService(id)));
    }

    /** 201 with the stored record when the service is new, 200 when it replaced an existing definition. */
    @Requires(Scope.SERVICE_OWNER)
    @WritesCatalog
    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = ServiceRequest.class)))
    @ApiResponse(responseCode = "201", content = @Content(schema = @Schema(implementation = ServiceView.class)))
    @ApiResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ServiceView.class)))
    public Response put(@PathParam("id") String id, @HeaderParam(Actors.HEADER) String user,
                        @Context HttpHeaders headers, @Context SecurityContext security, InputStream body) throws JsonProcessingException {
        String actor = Actors.fromHeader(user);
        InputRules.requireName("id", id);
        ServiceDefinition definition = bodies.read(headers, body, ServiceRequest.class).definition(id, validator);
        ownership.checkPut(ScopeFilter.callerOf(security), definition);
        ServicePut outcome = store.putService(definition, actor);
        return Response.status(outcome instanceof ServicePut.Created ? 201 : 200).entity(ServiceView.of(outcome.record())).build();
    }

    @Requires(Scope.SERVICE_OWNER)
    @WritesCatalog
    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id, @HeaderParam(Actors.HEADER) String user, @Context SecurityContext security) {
        Actors.fromHeader(user);
        ownership.checkChange(ScopeFilter.callerOf(security), InputRules.requireName("id", id));
        if (!store.deleteService(InputRules.requireName("id", id))) {
            throw unknownService(id);
        }
        return Response.noContent().build();
    }

    /** Adds a static upstream (idempotent); 200 with the updated record. */
    @Requires(Scope.SERVICE_OWNER)
    @WritesCatalog
    @POST
    @Path("{id}/upstreams")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = UpstreamRequest.class)))
    public ServiceView addUpstream(@PathParam("id") String id, @HeaderParam(Actors.HEADER) String user,
                                     @Context HttpHeaders headers, @Context SecurityContext security, InputStream body)
            throws JsonProcessingException {
        String actor = Actors.fromHeader(user);
        InputRules.requireName("id", id);
        ownership.checkChange(ScopeFilter.callerOf(security), id);
        Upstream upstream = bodies.read(headers, body, UpstreamRequest.class).upstream();
        return ServiceView.of(store.addUpstream(id, upstream, actor));
    }

    /** {@code hostPort} is {@code host:port} or {@code [ipv6]:port} (brackets percent-encoded in the URL). */
    @Requires(Scope.SERVICE_OWNER)
    @WritesCatalog
    @DELETE
    @Path("{id}/upstreams/{hostPort}")
    public ServiceView removeUpstream(@PathParam("id") String id, @PathParam("hostPort") String hostPort,
                                        @HeaderParam(Actors.HEADER) String user, @Context SecurityContext security) {
        String actor = Actors.fromHeader(user);
        InputRules.requireName("id", id);
        ownership.checkChange(ScopeFilter.callerOf(security), id);
        Upstream upstream = UpstreamValidator.parse("upstream", hostPort);
        return ServiceView.of(store.removeUpstream(id, upstream, actor));
    }

    private static NotFoundException unknownService(String id) {
        return new NotFoundException("id", "service " + id + " does not exist");
    }
}
