package io.lbmanager.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lbmanager.api.view.ConfigErrorView;
import io.lbmanager.api.view.ServiceView;
import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.errors.NotFoundException;
import io.lbmanager.rollout.GroupStatus;
import io.lbmanager.rollout.GroupStatusStore;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.SnapshotSource;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A service as the fleet sees it: in each of its groups, routed, quarantined (with Nginx's words) or held. */
@Path("/api/v1/services/{id}/status")
@Produces(MediaType.APPLICATION_JSON)
public class ServiceStatusResource {

    public enum Routing { ROUTED, QUARANTINED, HELD, NOT_RENDERED_YET }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record GroupRouting(String group, Routing routing, List<ServiceView.UpstreamView> upstreams, List<ConfigErrorView> errors,
                               String heldReason,
                               Long targetVersion) {
    }

    public record ServiceStatus(String id, ServiceView service, List<GroupRouting> groups) {
    }

    private final SnapshotSource source;
    private final GroupStatusStore statuses;

    public ServiceStatusResource(SnapshotSource source, GroupStatusStore statuses) {
        this.source = source;
        this.statuses = statuses;
    }

    @Requires(Scope.READ)
    @GET
    public ServiceStatus status(@PathParam("id") String id) throws Exception {
        CatalogSnapshot snapshot = source.current();
        ServiceRecord service = snapshot.services().get(id);
        if (service == null) {
            throw new NotFoundException("id", "no service named " + id);
        }
        List<ServiceView.UpstreamView> upstreams = ServiceView.UpstreamView.of(snapshot.upstreamsOf(service));
        List<GroupRouting> groups = new ArrayList<>();
        for (String group : service.definition().groups()) {
            Optional<GroupStatus> status = statuses.read(group);
            if (status.isEmpty()) {
                groups.add(new GroupRouting(group, Routing.NOT_RENDERED_YET, upstreams, null, null, null));
            } else if (status.get().quarantined().containsKey(id)) {
                groups.add(new GroupRouting(group, Routing.QUARANTINED, upstreams, ConfigErrorView.of(status.get().quarantined().get(id)), null,
                        status.get().targetVersion()));
            } else if (status.get().held().containsKey(id)) {
                groups.add(new GroupRouting(group, Routing.HELD, upstreams, null, status.get().held().get(id), status.get().targetVersion()));
            } else {
                groups.add(new GroupRouting(group, Routing.ROUTED, upstreams, null, null, status.get().targetVersion()));
            }
        }
        return new ServiceStatus(id, ServiceView.of(service), groups);
    }
}
