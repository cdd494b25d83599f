package io.lbmanager.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lbmanager.api.view.BundleView;
import io.lbmanager.api.view.GroupStatusView;
import io.lbmanager.routes.RoutesRolloutStore;
import io.lbmanager.api.view.RolloutView;
import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.errors.InvalidInputException;
import io.lbmanager.errors.NotFoundException;
import io.lbmanager.rollout.AgentDirectory;
import io.lbmanager.rollout.GroupPin;
import io.lbmanager.rollout.GroupStatusStore;
import io.lbmanager.rollout.RolloutCoordinator;
import io.lbmanager.rollout.RolloutRecord;
import io.lbmanager.rollout.RolloutStore;
import io.lbmanager.rollout.VersionPublisher;
import io.lbmanager.snapshot.SnapshotSource;
import io.lbmanager.validate.ConfigDiff;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/**
 * What runs in a group and the operator's levers on it: status (target, live, rollout, agents),
 * rollout history, stored versions and the diff between two, rollback, pin and unpin. Rooted at
 * the groups collection, next to {@link GroupsResource}: a class rooted at {@code /groups/{group}}
 * would win every {@code /groups/NAME} request and hide that resource's PUT and DELETE.
 */
@Path("/api/v1/groups")
@Produces(MediaType.APPLICATION_JSON)
public class GroupRuntimeResource {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AgentView(String agentId, String host, int trafficPort, int adminPort, long runningVersion, String runningSha256,
                            String state, String error, long failedVersion, long applies, long lag, String upstreams, long peerPushes,
                            String peerError, long updatedAtMillis, String zone, long routesVersion, long routesFailedVersion,
                            String routesError, long generationsEnded) {
        static AgentView of(AgentStatus a, long targetVersion) {
            long lag = a.runningVersion() == targetVersion ? 0 : Math.max(1, targetVersion - a.runningVersion());
            return new AgentView(a.agentId(), a.host(), a.trafficPort(), a.adminPort(), a.runningVersion(), a.runningSha256(),
                    a.state().name(), a.error(), a.failedVersion(), a.applies(), lag, a.upstreams(), a.peerPushes(), a.peerError(),
                    a.updatedAtMillis(), a.zone(), a.routesVersion(), a.routesFailedVersion(), a.routesError(),
                    a.generationsEnded());
        }
    }

    /** The group's routing table (services Lua routes, changed without a reload): its target, live version and rollout in flight. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RoutesRuntime(RolloutView.Version target, RolloutView.Version live, RolloutView rollout) {
    }

    /** @param routes null while the group has no routing table (routing by files, or nothing routed yet) */
    public record GroupRuntime(String group, RolloutView.Version target, RolloutView.Version live, RolloutView.Pin pinned,
                               RolloutView rollout, GroupStatusView status, List<AgentView> agents, RoutesRuntime routes) {
    }

    public record VersionDiff(long from, long to, String diff) {
    }

    public record RollbackRequest(Long version, String reason) {
    }

    public record PinRequest(String reason) {
    }

    private final SnapshotSource source;
    private final VersionPublisher publisher;
    private final RolloutStore rollouts;
    private final RolloutCoordinator coordinator;
    private final GroupStatusStore statuses;
    private final AgentDirectory agents;
    private final RequestBodies bodies;
    private final RoutesRolloutStore routes;

    public GroupRuntimeResource(SnapshotSource source, VersionPublisher publisher, RolloutStore rollouts, RolloutCoordinator coordinator,
                                GroupStatusStore statuses, AgentDirectory agents, RequestBodies bodies, RoutesRolloutStore routes) {
        this.source = source;
        this.publisher = publisher;
        this.rollouts = rollouts;
        this.coordinator = coordinator;
        this.statuses = statuses;
        this.agents = agents;
        this.bodies = bodies;
        this.routes = routes;
    }

    @Requires(Scope.READ)
    @GET
    @Path("{group}/status")
    public GroupRuntime status(@PathParam("group") String group) throws Exception {
        requireGroup(group);
        PublishedVersion target = rollouts.target(group).value().orElse(null);
        long targetVersion = target == null ? 0 : target.version();
        List<AgentView> views = new ArrayList<>();
        agents.agents(group).forEach(a -> views.add(AgentView.of(a, targetVersion)));
        RolloutRecord rollout = rollouts.rollout(group).value().filter(RolloutRecord::inProgress).orElse(null);
        return new GroupRuntime(group, RolloutView.Version.of(target), RolloutView.Version.of(rollouts.live(group).value().orElse(null)),
                RolloutView.Pin.of(rollouts.pin(group).orElse(null)), RolloutView.of(rollout), GroupStatusView.of(statuses.read(group).orElse(null)),
                views, routesOf(group));
    }

    private RoutesRuntime routesOf(String group) throws Exception {
        PublishedVersion target = routes.target(group).value().orElse(null);
        if (target == null) {
            return null;
        }
        return new RoutesRuntime(RolloutView.Version.of(target), RolloutView.Version.of(routes.live(group).value().orElse(null)),
                RolloutView.of(routes.rollout(group).value().filter(RolloutRecord::inProgress).orElse(null)));
    }

    @Requires(Scope.READ)
    @GET
    @Path("{group}/config")
    public BundleView liveConfig(@PathParam("group") String group) throws Exception {
        requireGroup(group);
        return publisher.targetBundle(group).map(BundleView::of)
                .orElseThrow(() -> new NotFoundException("group", "group " + group + " has no published config yet"));
    }

    @Requires(Scope.READ)
    @GET
    @Path("{group}/rollouts")
    public List<RolloutView> history(@PathParam("group") String group, @QueryParam("limit") Integer limit) throws Exception {
        requireGroup(group);
        int count = limit == null ? 50 : limit;
        if (count < 1 || count > 200) {
            throw new InvalidInputException("limit", "must be between 1 and 200");
        }
        return rollouts.history(group, count).stream().map(RolloutView::of).toList();
    }

    @Requires(Scope.READ)
    @GET
    @Path("{group}/versions")
    public List<RolloutView.Version> versions(@PathParam("group") String group) throws Exception {
        requireGroup(group);
        List<RolloutView.Version> versions = new ArrayList<>();
        for (long version : publisher.storedVersionNumbers(group)) {
            versions.add(RolloutView.Version.of(publisher.storedVersion(group, version)));
        }
        return versions;
    }

    @Requires(Scope.READ)
    @GET
    @Path("{group}/versions/{version}")
    public BundleView version(@PathParam("group") String group, @PathParam("version") long version) throws Exception {
        requireGroup(group);
        return BundleView.of(publisher.storedBundle(group, version));
    }

    @Requires(Scope.READ)
    @GET
    @Path("{group}/diff")
    public VersionDiff diff(@PathParam("group") String group, @QueryParam("from") Long from, @QueryParam("to") Long to) throws Exception {
        requireGroup(group);
        if (from == null) {
            throw new InvalidInputException("from", "give the version to diff from, e.g. ?from=3&to=4");
        }
        if (to == null) {
            throw new InvalidInputException("to", "give the version to diff to, e.g. ?from=3&to=4");
        }
        return new VersionDiff(from, to, ConfigDiff.between(publisher.storedBundle(group, from).files(), publisher.storedBundle(group, to).files()));
    }

    @Requires(Scope.OPERATOR)
    @POST
    @Path("{group}/rollback")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = RollbackRequest.class)))
    @ApiResponse(responseCode = "202", content = @Content(schema = @Schema(implementation = RolloutView.class)))
    public Response rollBack(@PathParam("group") String group, @HeaderParam(Actors.HEADER) String user, @Context HttpHeaders headers,
                             InputStream body) throws Exception {
        requireGroup(group);
        RollbackRequest request = bodies.read(headers, body, RollbackRequest.class);
        if (request.version() == null || request.version() < 1) {
            throw new InvalidInputException("version", "give the version to roll back to (see GET /api/v1/groups/" + group + "/versions)");
        }
        String reason = Reasons.require(request.reason());
        return Response.status(202).entity(RolloutView.of(coordinator.rollBack(group, request.version(), Actors.fromHeader(user), reason))).build();
    }

    @Requires(Scope.OPERATOR)
    @PUT
    @Path("{group}/pin")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = PinRequest.class)))
    public RolloutView.Pin pin(@PathParam("group") String group, @HeaderParam(Actors.HEADER) String user, @Context HttpHeaders headers,
                        InputStream body) throws Exception {
        requireGroup(group);
        GroupPin pin = new GroupPin(Actors.fromHeader(user), Reasons.require(bodies.read(headers, body, PinRequest.class).reason()),
                System.currentTimeMillis());
        rollouts.pin(group, pin);
        return RolloutView.Pin.of(pin);
    }

    @Requires(Scope.OPERATOR)
    @DELETE
    @Path("{group}/pin")
    public Response unpin(@PathParam("group") String group) throws Exception {
        requireGroup(group);
        if (!rollouts.unpin(group)) {
            throw new NotFoundException("group", "group " + group + " is not pinned");
        }
        return Response.noContent().build();
    }

    private void requireGroup(String group) {
        if (!source.groups().contains(group)) {
            throw new NotFoundException("group", "no LB group named " + group);
        }
    }
}
