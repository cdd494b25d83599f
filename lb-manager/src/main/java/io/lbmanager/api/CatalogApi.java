package io.lbmanager.api;

import io.dropwizard.jersey.setup.JerseyEnvironment;
import io.lbmanager.catalog.CatalogStore;

/** Everything the catalog REST API needs registered with Jersey, in one call from {@code Application.run}. */
public final class CatalogApi {

    private CatalogApi() {
    }

    public static void register(JerseyEnvironment jersey, CatalogStore store, ApiConfig config) {
        RequestBodies bodies = new RequestBodies(config.maxBodyBytes);
        jersey.register(new BodySizeLimitFilter(config.maxBodyBytes));
        jersey.register(new CatalogWriteFilter(store.writes()));
        jersey.register(new ServicesResource(store, bodies));
        jersey.register(new GroupsResource(store));
        ApiErrors.register(jersey);
    }
}
