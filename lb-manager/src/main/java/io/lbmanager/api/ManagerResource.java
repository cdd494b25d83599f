package io.lbmanager.api;

import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.zk.Leadership;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Which manager this is, which one leads, and how upstream changes reach Nginx ("dynamic" or "reload"). */
@Path("/api/v1/manager")
@Produces(MediaType.APPLICATION_JSON)
public class ManagerResource {

    public record ManagerView(String id, boolean leader, String leaderId, String upstreams) {
    }

    private final Leadership leadership;
    private final UpstreamMode upstreamMode;

    public ManagerResource(Leadership leadership, UpstreamMode upstreamMode) {
        this.leadership = leadership;
        this.upstreamMode = upstreamMode;
    }

    @Requires(Scope.READ)
    @GET
    public ManagerView manager() {
        return new ManagerView(leadership.id(), leadership.isLeader(), leadership.leaderId().orElse(null),
                upstreamMode.dynamic() ? "dynamic" : "reload");
    }
}
