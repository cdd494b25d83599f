package io.lbmanager.api;

import io.lbmanager.api.view.GroupSummary;
import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.catalog.InputRules;
import io.lbmanager.errors.NotFoundException;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;

/** LB groups: {@code /api/v1/groups}. */
@Path("/api/v1/groups")
@Produces(MediaType.APPLICATION_JSON)
public final class GroupsResource {

    private final CatalogStore store;

    public GroupsResource(CatalogStore store) {
        this.store = store;
    }

    /** Every group with the ids of its services. */
    @Requires(Scope.READ)
    @GET
    public List<GroupSummary> list() {
        return store.groupViews().stream().map(GroupSummary::of).toList();
    }

    /** 201 when the group is new, 200 when it already existed. */
    @Requires(Scope.ADMIN)
    @PUT
    @Path("{name}")
    public Response create(@PathParam("name") String name, @HeaderParam(Actors.HEADER) String user) {
        Actors.fromHeader(user);
        boolean created = store.createGroup(InputRules.requireName("name", name));
        return Response.status(created ? 201 : 200).entity(new GroupSummary(name, List.of())).build();
    }

    @Requires(Scope.ADMIN)
    @DELETE
    @Path("{name}")
    public Response delete(@PathParam("name") String name, @HeaderParam(Actors.HEADER) String user) {
        Actors.fromHeader(user);
        if (!store.deleteGroup(InputRules.requireName("name", name))) {
            throw new NotFoundException("name", "group " + name + " does not exist");
        }
        return Response.noContent().build();
    }
}
