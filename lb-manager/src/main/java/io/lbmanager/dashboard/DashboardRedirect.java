package io.lbmanager.dashboard;

import io.lbmanager.auth.Public;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import java.net.URI;

/** {@code GET /} sends a browser to the dashboard. */
@Path("/")
public class DashboardRedirect {

    @GET
    @Public
    public Response root() {
        return Response.seeOther(URI.create(DashboardBundle.URI_PATH)).build();
    }
}
