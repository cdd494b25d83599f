package io.lbmanager.api;

import io.lbmanager.auth.Public;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /api/v1/openapi.json}: the OpenAPI 3 description of this API, for anyone (it shows no data). */
@Path("/api/v1/openapi.json")
public class OpenApiResource {

    private volatile String document;

    @Public
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String describe() {
        String known = document;
        if (known == null) {
            known = OpenApiDocument.json();
            document = known;
        }
        return known;
    }
}
