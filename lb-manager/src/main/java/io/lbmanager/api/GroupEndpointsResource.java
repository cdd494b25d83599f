package io.lbmanager.api;

import io.lbmanager.api.view.EndpointView;
import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.errors.NotFoundException;
import io.lbmanager.rollout.AgentDirectory;
import io.lbmanager.rollout.RolloutStore;
import io.lbmanager.snapshot.SnapshotSource;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The traffic addresses of a group's Nginx, for whatever sends traffic to them (DNS, a hardware
 * load balancer, a cloud target group): JSON with every agent, or a plain list of the ready ones,
 * one {@code host:port} a line. Read from the agents' own reports, so it holds for every fleet
 * backend, ports fixed or dynamic.
 */
@Path("/api/v1/groups")
public class GroupEndpointsResource {

    private final SnapshotSource source;
    private final RolloutStore rollouts;
    private final AgentDirectory agents;

    public GroupEndpointsResource(SnapshotSource source, RolloutStore rollouts, AgentDirectory agents) {
        this.source = source;
        this.rollouts = rollouts;
        this.agents = agents;
    }

    @Requires(Scope.READ)
    @GET
    @Path("{group}/endpoints")
    @Produces(MediaType.APPLICATION_JSON)
    public List<EndpointView> endpoints(@PathParam("group") String group) throws Exception {
        if (!source.groups().contains(group)) {
            throw new NotFoundException("group", "no LB group named " + group);
        }
        long target = rollouts.target(group).value().map(PublishedVersion::version).orElse(0L);
        return agents.agents(group).stream()
                .map(agent -> EndpointView.of(agent, target))
                .sorted(Comparator.comparing(EndpointView::host).thenComparingInt(EndpointView::port))
                .toList();
    }

    @Requires(Scope.READ)
    @GET
    @Path("{group}/endpoints")
    @Produces(MediaType.TEXT_PLAIN)
    public String readyAddresses(@PathParam("group") String group) throws Exception {
        return endpoints(group).stream()
                .filter(EndpointView::ready)
                .map(endpoint -> endpoint.address() + "\n")
                .collect(Collectors.joining());
    }
}
