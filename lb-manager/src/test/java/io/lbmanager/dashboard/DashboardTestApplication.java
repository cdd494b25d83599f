package io.lbmanager.dashboard;

import io.dropwizard.core.setup.Bootstrap;
import io.lbmanager.LbManagerApplication;
import io.lbmanager.LbManagerConfiguration;

/**
 * The real manager plus the dashboard bundle, until LbManagerApplication adds it itself (the bundle
 * serves once however often it is added, so this stays correct after that).
 */
public class DashboardTestApplication extends LbManagerApplication {

    @Override
    public void initialize(Bootstrap<LbManagerConfiguration> bootstrap) {
        super.initialize(bootstrap);
        bootstrap.addBundle(new DashboardBundle());
    }
}
