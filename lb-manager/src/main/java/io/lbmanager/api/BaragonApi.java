package io.lbmanager.api;

import io.dropwizard.jersey.setup.JerseyEnvironment;
import io.lbmanager.baragon.LoadBalancerRequests;
import io.lbmanager.catalog.CatalogStore;

/** The Baragon API (only when {@code baragon.enabled}), in one call from {@code Application.run}. */
public final class BaragonApi {

    private BaragonApi() {
    }

    public static void register(JerseyEnvironment jersey, LoadBalancerRequests requests, CatalogStore catalog, ApiConfig config) {
        jersey.register(new BaragonAuthKeyFilter());
        jersey.register(new BaragonResource(requests, new ServiceOwnership(catalog), config.maxBodyBytes));
    }
}
