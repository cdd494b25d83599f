package io.lbmanager.api;

import io.lbmanager.api.view.UpstreamsView;
import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.errors.NotFoundException;
import io.lbmanager.peers.AgentReports;
import io.lbmanager.peers.PublishedPeers;
import io.lbmanager.rollout.AgentDirectory;
import io.lbmanager.rollout.GroupStatusStore;
import io.lbmanager.rollout.PublishedBundles;
import io.lbmanager.routes.PublishedRoutes;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.SnapshotSource;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;


/** Where a service's traffic goes, with what every Nginx of its groups routes to: {@link UpstreamsView.Service}. */
@Path("/api/v1/services/{id}/routing")
@Produces(MediaType.APPLICATION_JSON)
public class ServiceUpstreamsResource {

    private final SnapshotSource source;
    private final UpstreamsViews views;

    ServiceUpstreamsResource(SnapshotSource source, UpstreamsViews views) {
        this.source = source;
        this.views = views;
    }

    public static ServiceUpstreamsResource create(SnapshotSource source, GroupStatusStore statuses, PublishedBundles bundles,
                                                  AgentDirectory agents, PublishedPeers publishedPeers, AgentReports reports,
                                                  PublishedRoutes routes) {
        return new ServiceUpstreamsResource(source, new UpstreamsViews(statuses, bundles, agents, publishedPeers, reports, routes));
    }

    /** {@code GET /api/v1/routing}, from the same views. */
    public RoutingOverviewResource overview() {
        return new RoutingOverviewResource(source, views);
    }

    @Requires(Scope.READ)
    @GET
    public UpstreamsView.Service service(@PathParam("id") String id) throws Exception {
        CatalogSnapshot snapshot = source.current();
        ServiceRecord service = snapshot.services().get(id);
        if (service == null) {
            throw new NotFoundException("id", "no service named " + id);
        }
        return views.request(snapshot).service(service, true);
    }
}
