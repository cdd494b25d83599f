package io.lbmanager.api;

import io.lbmanager.api.view.HibernationView;
import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.errors.NotFoundException;
import io.lbmanager.hibernation.Hibernator;
import io.lbmanager.snapshot.SnapshotSource;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Whether a service is awake, hibernated or waking (see io.lbmanager.hibernation). */
@Path("/api/v1/services/{id}/hibernation")
@Produces(MediaType.APPLICATION_JSON)
public class HibernationResource {

    private final SnapshotSource source;
    private final Hibernator hibernator;

    public HibernationResource(SnapshotSource source, Hibernator hibernator) {
        this.source = source;
        this.hibernator = hibernator;
    }

    @Requires(Scope.READ)
    @GET
    public HibernationView hibernation(@PathParam("id") String id) throws Exception {
        ServiceRecord service = source.current().services().get(id);
        if (service == null) {
            throw new NotFoundException("id", "no service named " + id);
        }
        return HibernationView.of(id, hibernator.status(service));
    }
}
