package io.lbmanager;

import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.lbmanager.agent.AgentCommand;
import io.lbmanager.api.CatalogApi;
import io.lbmanager.api.RequestBodies;
import io.lbmanager.api.DiscoveryResource;
import io.lbmanager.api.GroupRuntimeResource;
import io.lbmanager.api.ValidateResource;
import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.catalog.ServiceValidator;
import io.lbmanager.config.FleetConfig;
import io.lbmanager.config.ZooKeeperConfig;
import io.lbmanager.demo.DemoCommand;
import io.lbmanager.demo.DemoSetup;
import io.lbmanager.discovery.DiscoveryWatcher;
import io.lbmanager.fleet.DockerClients;
import io.lbmanager.fleet.DockerFleet;
import io.lbmanager.fleet.FleetReconciler;
import io.lbmanager.render.BundleRenderer;
import io.lbmanager.render.TemplateSet;
import io.lbmanager.rollout.AgentDirectory;
import io.lbmanager.rollout.ConfigPipeline;
import io.lbmanager.rollout.VersionPublisher;
import io.lbmanager.snapshot.CatalogWatcher;
import io.lbmanager.snapshot.SnapshotSource;
import io.lbmanager.validate.NginxValidator;
import io.lbmanager.validate.ValidateCommand;
import io.lbmanager.zk.EmbeddedZooKeeper;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.zk.ZooKeeperClients;
import io.lbmanager.zk.ZooKeeperHealthCheck;
import org.apache.curator.framework.CuratorFramework;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

public class LbManagerApplication extends Application<LbManagerConfiguration> {

    public static void main(String[] args) throws Exception {
        new LbManagerApplication().run(args);
    }

    @Override
    public String getName() {
        return "lb-manager";
    }

    @Override
    public void initialize(Bootstrap<LbManagerConfiguration> bootstrap) {
        bootstrap.addCommand(new AgentCommand());
        bootstrap.addCommand(new DemoCommand(this));
        bootstrap.addCommand(new ValidateCommand());
    }

    @Override
    public void run(LbManagerConfiguration config, Environment environment) throws Exception {
        String connectString = startZooKeeperIfEmbedded(config.zookeeper, environment);
        CuratorFramework client = ZooKeeperClients.client(connectString, config.zookeeper.sessionTimeoutMs,
                config.zookeeper.connectionTimeoutMs);
        client.start();
        environment.lifecycle().manage(onStop(client::close));
        ZkLayout layout = new ZkLayout(config.zookeeper.root);

        CatalogStore catalog = new CatalogStore(client, layout);
        environment.lifecycle().manage(onStart(() -> config.groups.forEach(catalog::createGroup)));

        TemplateSet templates = TemplateSet.load(Path.of(config.nginx.templatesDir));
        NginxValidator validator = new NginxValidator(config.nginx.binary, Duration.ofSeconds(config.nginx.validateTimeoutSeconds));
        VersionPublisher publisher = new VersionPublisher(client, layout, config.pipeline.versionsKept);
        AgentDirectory agents = new AgentDirectory(client, layout);

        AtomicReference<ConfigPipeline> pipelineRef = new AtomicReference<>();
        Runnable changed = () -> {
            ConfigPipeline pipeline = pipelineRef.get();
            if (pipeline != null) {
                pipeline.changed();
            }
        };
        CatalogWatcher catalogWatcher = new CatalogWatcher(client, layout, CatalogStore::parseService, changed);
        DiscoveryWatcher discovery = new DiscoveryWatcher(client, config.discovery.basePath, changed);
        SnapshotSource source = new SnapshotSource(catalogWatcher, discovery);
        ConfigPipeline pipeline = new ConfigPipeline(source, new BundleRenderer(templates), validator, publisher, client, layout,
                config.pipeline.quietMillis, config.pipeline.maxDelayMillis);
        pipelineRef.set(pipeline);
        environment.lifecycle().manage(catalogWatcher);
        environment.lifecycle().manage(discovery);
        environment.lifecycle().manage(pipeline);

        ServiceValidator serviceValidator = new ServiceValidator(catalog::groupExists);
        CatalogApi.register(environment.jersey(), catalog, config.api);
        environment.jersey().register(new GroupRuntimeResource(source, pipeline, publisher, agents));
        environment.jersey().register(new DiscoveryResource(source));
        environment.jersey().register(new ValidateResource(source, templates, validator, publisher, pipeline, serviceValidator,
                new RequestBodies(config.api.maxBodyBytes)));
        environment.healthChecks().register("zookeeper", new ZooKeeperHealthCheck(client));

        Runnable removeFleet = () -> { };
        if (config.fleet.backend == FleetConfig.Backend.DOCKER) {
            String agentZk = config.fleet.agentZooKeeper.isBlank() ? connectString : config.fleet.agentZooKeeper;
            DockerFleet fleet = new DockerFleet(DockerClients.local(), config.fleet.image, config.fleet.name, agentZk, layout.root());
            FleetReconciler reconciler = new FleetReconciler(fleet, config.fleet.instances);
            environment.lifecycle().manage(reconciler);
            removeFleet = () -> {
                reconciler.stop();
                fleet.removeAllTasks();
            };
        }
        if (config.demo) {
            environment.lifecycle().manage(new DemoSetup(client, config.discovery.basePath, catalog, publisher, agents,
                    "http://127.0.0.1:" + applicationPort(config), removeFleet));
        }
    }

    private static String startZooKeeperIfEmbedded(ZooKeeperConfig config, Environment environment) throws Exception {
        if (!config.isEmbedded()) {
            return config.connectString;
        }
        EmbeddedZooKeeper embedded = EmbeddedZooKeeper.create(config.embeddedPort, config.embeddedDataDir);
        embedded.start();
        environment.lifecycle().manage(onStop(embedded::stop));
        return embedded.connectString();
    }

    private static int applicationPort(LbManagerConfiguration config) {
        if (config.getServerFactory() instanceof io.dropwizard.core.server.DefaultServerFactory factory
                && factory.getApplicationConnectors().get(0) instanceof io.dropwizard.jetty.HttpConnectorFactory http) {
            return http.getPort();
        }
        return 8080;
    }

    private static Managed onStart(ThrowingRunnable action) {
        return new Managed() {
            @Override
            public void start() throws Exception {
                action.run();
            }
        };
    }

    private static Managed onStop(ThrowingRunnable action) {
        return new Managed() {
            @Override
            public void stop() throws Exception {
                action.run();
            }
        };
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
