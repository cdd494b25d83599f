package io.lbmanager.dashboard;

import io.dropwizard.assets.AssetsBundle;
import io.dropwizard.core.ConfiguredBundle;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import jakarta.servlet.DispatcherType;

import java.util.EnumSet;

/**
 * Serves the operators' dashboard: the static page under {@code assets/dashboard} at
 * {@value #URI_PATH}, and a redirect from {@code /} to it. The page only calls the REST API under
 * {@code /api/v1}; nothing is fetched from anywhere else.
 *
 * <p>Wire it with {@code bootstrap.addBundle(new DashboardBundle())}. Adding it twice serves it once.
 */
public class DashboardBundle implements ConfiguredBundle<Configuration> {

    public static final String URI_PATH = "/dashboard/";
    static final String SERVLET_NAME = "lbm-dashboard";

    private final AssetsBundle assets = new AssetsBundle("/assets/dashboard/", URI_PATH, "index.html", SERVLET_NAME);

    @Override
    public void initialize(Bootstrap<?> bootstrap) {
        assets.initialize(bootstrap);
    }

    @Override
    public void run(Configuration configuration, Environment environment) throws Exception {
        if (environment.getApplicationContext().getServletHandler().getServlet(SERVLET_NAME) != null) {
            return;
        }
        assets.run(configuration, environment);
        environment.servlets().addFilter(SERVLET_NAME + "-filter", new DashboardFilter())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, URI_PATH + "*");
        environment.jersey().register(new DashboardRedirect());
    }
}
