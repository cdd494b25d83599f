package io.lbmanager.api;

import io.lbmanager.api.view.UpstreamsView;
import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.SnapshotSource;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.List;

/** Where every service's traffic goes, in summary (no per-Nginx detail): the dashboard's Services view. */
@Path("/api/v1/routing")
@Produces(MediaType.APPLICATION_JSON)
public class RoutingOverviewResource {

    private final SnapshotSource source;
    private final UpstreamsViews views;

    RoutingOverviewResource(SnapshotSource source, UpstreamsViews views) {
        this.source = source;
        this.views = views;
    }

    @Requires(Scope.READ)
    @GET
    public UpstreamsView.Overview all() throws Exception {
        CatalogSnapshot snapshot = source.current();
        UpstreamsViews.Request request = views.request(snapshot);
        List<UpstreamsView.Service> services = new ArrayList<>();
        for (ServiceRecord service : snapshot.services().values()) {
            services.add(request.service(service, false));
        }
        return new UpstreamsView.Overview(services);
    }
}
