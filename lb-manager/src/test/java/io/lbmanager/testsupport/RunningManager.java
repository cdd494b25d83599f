package io.lbmanager.testsupport;

import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.logging.common.DefaultLoggingFactory;
import io.dropwizard.request.logging.LogbackAccessRequestLogFactory;
import io.dropwizard.testing.DropwizardTestSupport;
import io.lbmanager.LbManagerApplication;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.api.ApiConfig;

import java.util.List;

/**
 * A whole manager ({@link LbManagerApplication}, with the dashboard) running in this JVM on free
 * loopback ports; {@link #close} stops it. Build its configuration with {@link ManagerUnderTest#config}.
 * For one manager per test class use {@link ManagerExtension}, which also orders its ZooKeeper's close.
 */
public final class RunningManager implements AutoCloseable {

    private final DropwizardTestSupport<?> app;

    private RunningManager(DropwizardTestSupport<?> app) {
        this.app = app;
    }

    public static RunningManager start(LbManagerConfiguration config) throws Exception {
        return startApplication(LbManagerApplication.class, config);
    }

    /** The manager with a test's additions (a subclass that wires more parts). */
    public static RunningManager start(Class<? extends LbManagerApplication> application, LbManagerConfiguration config)
            throws Exception {
        return startApplication(application, config);
    }

    /** Only the catalog API ({@link CatalogApiApplication}) on a free loopback port, logging warnings only. */
    public static RunningManager startCatalogApiOnly(String zookeeper, ApiConfig api) throws Exception {
        CatalogApiApplication.Config config = new CatalogApiApplication.Config();
        config.zkConnect = zookeeper;
        config.api = api;
        if (config.api.adminTokenFile == null || config.api.adminTokenFile.isBlank()) {
            config.api.adminTokenFile = TestTokens.adminTokenFile();
        }
        DefaultServerFactory server = (DefaultServerFactory) config.getServerFactory();
        ((HttpConnectorFactory) server.getApplicationConnectors().get(0)).setPort(0);
        ((HttpConnectorFactory) server.getAdminConnectors().get(0)).setPort(0);
        ((DefaultLoggingFactory) config.getLoggingFactory()).setLevel("WARN");
        ((LogbackAccessRequestLogFactory) server.getRequestLogFactory()).setAppenders(List.of());
        return startApplication(CatalogApiApplication.class, config);
    }

    private static <C extends Configuration> RunningManager startApplication(Class<? extends Application<C>> application, C config)
            throws Exception {
        DropwizardTestSupport<C> app = new DropwizardTestSupport<>(application, config);
        app.before();
        return new RunningManager(app);
    }

    public int port() {
        return app.getLocalPort();
    }

    public int adminPort() {
        return app.getAdminPort();
    }

    /** http://127.0.0.1:PORT{path} */
    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** http://127.0.0.1:PORT/api/v1{path} */
    public String api(String path) {
        return url("/api/v1" + path);
    }

    @Override
    public void close() {
        app.after();
    }
}
