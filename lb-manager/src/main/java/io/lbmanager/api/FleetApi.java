package io.lbmanager.api;

import io.dropwizard.jersey.setup.JerseyEnvironment;
import io.lbmanager.upgrade.UpgradeOperations;

/**
 * The fleet REST API ({@code /api/v1/fleet/{group}...}) in one call from {@code Application.run}.
 * Errors use the catalog API's {@code {code,message,field}} mappers, which {@link CatalogApi#register}
 * installs; call that too (or {@link ApiErrors#register}).
 */
public final class FleetApi {

    private FleetApi() {
    }

    public static void register(JerseyEnvironment jersey, UpgradeOperations operations, ApiConfig config) {
        jersey.register(new FleetResource(operations, new RequestBodies(config.maxBodyBytes)));
    }
}
