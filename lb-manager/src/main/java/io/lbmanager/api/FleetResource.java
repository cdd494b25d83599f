package io.lbmanager.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.lbmanager.api.view.FleetView;
import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.lbmanager.catalog.InputRules;
import io.lbmanager.errors.InvalidInputException;
import io.lbmanager.upgrade.UpgradeOperations;
import io.lbmanager.upgrade.UpgradeView;
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

import java.io.InputStream;
import java.util.List;
import java.util.regex.Pattern;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/** A group's Nginx fleet: {@code /api/v1/fleet/{group}}: status, upgrades, rollback, scale, deploy blocks. */
@Path("/api/v1/fleet/{group}")
@Produces(MediaType.APPLICATION_JSON)
public final class FleetResource {

    /** A Docker image reference: registry/name:tag or @digest, nothing a shell or JSON would need escaped. */
    private static final Pattern IMAGE = Pattern.compile("[a-z0-9][a-z0-9._/:@-]{0,254}", Pattern.CASE_INSENSITIVE);

    private final UpgradeOperations operations;
    private final RequestBodies bodies;

    public FleetResource(UpgradeOperations operations, RequestBodies bodies) {
        this.operations = operations;
        this.bodies = bodies;
    }

    @Requires(Scope.READ)
    @GET
    public FleetView status(@PathParam("group") String group) {
        return FleetView.of(operations.status(groupName(group)));
    }

    @Requires(Scope.OPERATOR)
    @POST
    @Path("upgrade")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = FleetRequests.Upgrade.class)))
    @ApiResponse(responseCode = "202", content = @Content(schema = @Schema(implementation = FleetView.Upgrade.class)))
    public Response upgrade(@PathParam("group") String group, @HeaderParam(Actors.HEADER) String user,
                            @Context HttpHeaders headers, InputStream body) throws JsonProcessingException {
        String by = Actors.fromHeader(user);
        FleetRequests.Upgrade request = bodies.read(headers, body, FleetRequests.Upgrade.class);
        if (request.image() == null || !IMAGE.matcher(request.image()).matches()) {
            throw new InvalidInputException("image", "must be a Docker image reference like registry.example/nginx-lb:1.2");
        }
        UpgradeView upgrade = operations.startUpgrade(groupName(group), request.image(), request.stepSize(),
                request.bakeSeconds(), request.maxErrorRate(), request.crashBudget(), by);
        return Response.accepted(FleetView.Upgrade.of(upgrade)).build();
    }

    @Requires(Scope.OPERATOR)
    @POST
    @Path("upgrade/pause")
    public FleetView.Upgrade pause(@PathParam("group") String group, @HeaderParam(Actors.HEADER) String user) {
        return FleetView.Upgrade.of(operations.pause(groupName(group), Actors.fromHeader(user)));
    }

    @Requires(Scope.OPERATOR)
    @POST
    @Path("upgrade/resume")
    public FleetView.Upgrade resume(@PathParam("group") String group, @HeaderParam(Actors.HEADER) String user) {
        return FleetView.Upgrade.of(operations.resume(groupName(group), Actors.fromHeader(user)));
    }

    @Requires(Scope.OPERATOR)
    @POST
    @Path("upgrade/cancel")
    public FleetView.Upgrade cancel(@PathParam("group") String group, @HeaderParam(Actors.HEADER) String user) {
        return FleetView.Upgrade.of(operations.cancel(groupName(group), Actors.fromHeader(user)));
    }

    @Requires(Scope.OPERATOR)
    @POST
    @Path("rollback")
    @ApiResponse(responseCode = "202", content = @Content(schema = @Schema(implementation = FleetView.Upgrade.class)))
    public Response rollback(@PathParam("group") String group, @HeaderParam(Actors.HEADER) String user) {
        return Response.accepted(FleetView.Upgrade.of(operations.rollback(groupName(group), Actors.fromHeader(user)))).build();
    }

    @Requires(Scope.OPERATOR)
    @PUT
    @Path("scale")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = FleetRequests.Scale.class)))
    public FleetView scale(@PathParam("group") String group, @HeaderParam(Actors.HEADER) String user,
                             @Context HttpHeaders headers, InputStream body) throws JsonProcessingException {
        String by = Actors.fromHeader(user);
        FleetRequests.Scale request = bodies.read(headers, body, FleetRequests.Scale.class);
        if (request.instances() == null) {
            throw new InvalidInputException("instances", "is required");
        }
        return FleetView.of(operations.scale(groupName(group), request.instances(), by));
    }

    @Requires(Scope.OPERATOR)
    @PUT
    @Path("block")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = FleetRequests.Block.class)))
    public FleetView.Block block(@PathParam("group") String group, @HeaderParam(Actors.HEADER) String user,
                             @Context HttpHeaders headers, InputStream body) throws JsonProcessingException {
        String by = Actors.fromHeader(user);
        FleetRequests.Block request = bodies.read(headers, body, FleetRequests.Block.class);
        return FleetView.Block.of(operations.block(groupName(group), request.reason(), by));
    }

    @Requires(Scope.OPERATOR)
    @DELETE
    @Path("block")
    public Response unblock(@PathParam("group") String group, @HeaderParam(Actors.HEADER) String user) {
        operations.unblock(groupName(group), Actors.fromHeader(user));
        return Response.noContent().build();
    }

    @Requires(Scope.READ)
    @GET
    @Path("history")
    public List<FleetView.Upgrade> history(@PathParam("group") String group) {
        return FleetView.Upgrade.of(operations.history(groupName(group)));
    }

    private static String groupName(String group) {
        return InputRules.requireName("group", group);
    }
}
