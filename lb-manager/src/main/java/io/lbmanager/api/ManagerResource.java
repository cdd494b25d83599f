package io.lbmanager.api;

import io.lbmanager.rollout.Leadership;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Which manager this is, and which one leads. */
@Path("/api/v1/manager")
@Produces(MediaType.APPLICATION_JSON)
public class ManagerResource {

    public record ManagerView(String id, boolean leader, String leaderId) {
    }

    private final Leadership leadership;

    public ManagerResource(Leadership leadership) {
        this.leadership = leadership;
    }

    @GET
    public ManagerView manager() {
        return new ManagerView(leadership.id(), leadership.isLeader(), leadership.leaderId().orElse(null));
    }
}
