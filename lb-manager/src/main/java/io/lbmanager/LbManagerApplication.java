package io.lbmanager;

import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.lbmanager.agent.AgentCommand;
import io.lbmanager.agent.AgentEnvironment;
import io.lbmanager.api.CatalogApi;
import io.lbmanager.api.FleetApi;
import io.lbmanager.upgrade.FleetSetup;
import io.lbmanager.api.RequestBodies;
import io.lbmanager.api.DiscoveryResource;
import io.lbmanager.api.GroupRuntimeResource;
import io.lbmanager.api.ValidateResource;
import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.catalog.ServiceValidator;
import io.lbmanager.config.ZooKeeperConfig;
import io.lbmanager.dashboard.DashboardBundle;
import io.lbmanager.demo.DemoCommand;
import io.lbmanager.demo.DemoSetup;
import io.lbmanager.discovery.DiscoveryGuard;
import io.lbmanager.discovery.DiscoveryWatcher;
import io.lbmanager.fleet.DockerFleet;
import io.lbmanager.peers.PeerPublisher;
import io.lbmanager.peers.UpstreamModes;
import io.lbmanager.render.IncrementalRenderer;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.render.TemplateSet;
import io.lbmanager.rollout.AgentDirectory;
import io.lbmanager.api.ManagerResource;
import io.lbmanager.api.ServiceStatusResource;
import io.lbmanager.rollout.AgentLagHealthCheck;
import io.lbmanager.rollout.ConfigPipeline;
import io.lbmanager.rollout.GroupStatusStore;
import io.lbmanager.rollout.Leadership;
import io.lbmanager.rollout.LeadershipHealthCheck;
import io.lbmanager.rollout.PinWatcher;
import io.lbmanager.rollout.PublishedBundles;
import io.lbmanager.rollout.RolloutCoordinator;
import io.lbmanager.rollout.RolloutMetrics;
import io.lbmanager.rollout.RolloutStore;
import io.lbmanager.rollout.VersionPublisher;
import io.lbmanager.signing.KeygenCommand;
import io.lbmanager.signing.ManagerKeys;
import io.lbmanager.snapshot.CatalogWatcher;
import io.lbmanager.snapshot.SnapshotSource;
import io.lbmanager.validate.NginxTestQueue;
import io.lbmanager.validate.NginxValidator;
import io.lbmanager.validate.ValidateCommand;
import io.lbmanager.zk.AclSetup;
import io.lbmanager.zk.EmbeddedZooKeeper;
import io.lbmanager.zk.ManagerAcls;
import io.lbmanager.zk.ManagerZooKeeper;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.zk.ZooKeeperHealthCheck;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
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
        bootstrap.addBundle(new DashboardBundle());
        bootstrap.addCommand(new AgentCommand());
        bootstrap.addCommand(new DemoCommand(this));
        bootstrap.addCommand(new ValidateCommand());
        bootstrap.addCommand(new KeygenCommand());
    }

    @Override
    public void run(LbManagerConfiguration config, Environment environment) throws Exception {
        String connectString = startZooKeeperIfEmbedded(config.zookeeper, environment);
        ZkLayout layout = new ZkLayout(config.zookeeper.root);
        Optional<ManagerAcls> acls = ManagerZooKeeper.acls(config.zookeeper, layout, config.discovery.basePath);
        CuratorFramework client = ManagerZooKeeper.client(config.zookeeper, connectString, acls);
        client.start();
        environment.lifecycle().manage(onStop(client::close));
        acls.ifPresent(a -> environment.lifecycle().manage(onStart(() -> new AclSetup(client, layout, a).run())));
        ManagerKeys keys = ManagerKeys.load(config.signing);

        CatalogStore catalog = new CatalogStore(client, layout);
        environment.lifecycle().manage(onStart(() -> config.groups.forEach(catalog::createGroup)));

        TemplateSet templates = TemplateSet.load(Path.of(config.nginx.templatesDir));
        NginxValidator validator = new NginxValidator(config.nginx.binary, Duration.ofSeconds(config.nginx.validateTimeoutSeconds),
                config.nginx.sandboxDir.isBlank() ? NginxValidator.defaultSandboxParent() : Path.of(config.nginx.sandboxDir));
        VersionPublisher publisher = new VersionPublisher(client, layout, config.pipeline.versionsKept, keys.signer());
        AgentDirectory agents = new AgentDirectory(client, layout);
        RolloutStore rolloutStore = new RolloutStore(client, layout);
        GroupStatusStore statusStore = new GroupStatusStore(client, layout);

        AtomicReference<ConfigPipeline> pipelineRef = new AtomicReference<>();
        AtomicReference<PeerPublisher> peersRef = new AtomicReference<>();
        Runnable peersChanged = () -> {
            PeerPublisher peers = peersRef.get();
            if (peers != null) {
                peers.changed();
            }
        };
        Runnable changed = () -> {
            peersChanged.run();
            ConfigPipeline pipeline = pipelineRef.get();
            if (pipeline != null) {
                pipeline.changed();
            }
        };
        Runnable catalogChanged = () -> {
            peersChanged.run();
            ConfigPipeline pipeline = pipelineRef.get();
            if (pipeline != null) {
                pipeline.catalogChanged();
            }
        };
        Leadership leadership = new Leadership(client, layout.leader(), managerId(config), changed);
        CatalogWatcher catalogWatcher = new CatalogWatcher(client, layout, CatalogStore::parseService, catalogChanged);
        DiscoveryWatcher discovery = new DiscoveryWatcher(client, config.discovery.basePath, changed);
        SnapshotSource source = new SnapshotSource(catalogWatcher, discovery);
        DiscoveryGuard guard = new DiscoveryGuard(config.pipeline.discoveryMaxLossShare, config.pipeline.discoveryGuardMinInstances,
                config.pipeline.sessionLossHoldSeconds * 1000L, config.pipeline.discoveryLossWindowSeconds * 1000L);
        client.getConnectionStateListenable().addListener((c, state) -> {
            if (state == ConnectionState.LOST) {
                guard.sessionLost(System.currentTimeMillis());
            }
        });
        RolloutMetrics metrics = RolloutMetrics.register(environment.metrics(), catalogWatcher::groups, rolloutStore, statusStore, agents);
        RolloutCoordinator coordinator = new RolloutCoordinator(rolloutStore, publisher, agents,
                Duration.ofSeconds(config.pipeline.rolloutTimeoutSeconds), leadership::isLeader, catalogWatcher::groups, changed, metrics);
        UpstreamMode upstreamMode = UpstreamModes.choose(config.nginx.dynamicUpstreams, config.nginx.binary,
                config.nginx.luaModulesDir, config.nginx.peersDictMb, templates);
        IncrementalRenderer renderer = new IncrementalRenderer(templates, upstreamMode);
        PublishedBundles published = new PublishedBundles(publisher, rolloutStore);
        ConfigPipeline pipeline = new ConfigPipeline(source, guard, renderer, validator, published, coordinator, statusStore,
                leadership::isLeader, config.pipeline.quietMillis, config.pipeline.maxDelayMillis);
        pipelineRef.set(pipeline);
        PeerPublisher peerPublisher = new PeerPublisher(client, layout, source, guard, upstreamMode, leadership::isLeader);
        peersRef.set(peerPublisher);
        PinWatcher pinWatcher = new PinWatcher(client, layout, changed);
        environment.lifecycle().manage(catalogWatcher);
        environment.lifecycle().manage(discovery);
        environment.lifecycle().manage(pinWatcher);
        environment.lifecycle().manage(peerPublisher);
        environment.lifecycle().manage(pipeline);
        environment.lifecycle().manage(coordinator);
        environment.lifecycle().manage(leadership);

        ServiceValidator serviceValidator = new ServiceValidator(catalog::groupExists);
        RequestBodies bodies = new RequestBodies(config.api.maxBodyBytes);
        CatalogApi.register(environment.jersey(), catalog, config.api);
        environment.jersey().register(new GroupRuntimeResource(source, publisher, rolloutStore, coordinator, statusStore, agents, bodies));
        environment.jersey().register(new ServiceStatusResource(source, statusStore));
        environment.jersey().register(new DiscoveryResource(source, guard, leadership, changed));
        NginxTestQueue nginxTests = new NginxTestQueue(validator, config.api.validateSlots(), config.api.validateQueueLength,
                Duration.ofMillis(config.api.validateMaxWaitMillis), NginxTestQueue.REUSE_VERDICTS_FOR);
        environment.jersey().register(new ValidateResource(source, templates, renderer, nginxTests, published, statusStore,
                serviceValidator, bodies));
        environment.jersey().register(new ManagerResource(leadership, upstreamMode));
        environment.healthChecks().register("zookeeper", new ZooKeeperHealthCheck(client));
        environment.healthChecks().register("leadership", new LeadershipHealthCheck(leadership));
        environment.healthChecks().register("agents", new AgentLagHealthCheck(catalogWatcher::groups, rolloutStore, agents,
                Duration.ofSeconds(config.pipeline.rolloutTimeoutSeconds)));
        PrometheusRegistry prometheus = new PrometheusRegistry();
        DropwizardExports.builder().dropwizardRegistry(environment.metrics()).register(prometheus);
        environment.admin().addServlet("prometheus", new PrometheusMetricsServlet(prometheus)).addMapping("/metrics/prometheus");

        Runnable removeFleet = () -> { };
        String agentZk = config.fleet.agentZooKeeper.isBlank() ? connectString : config.fleet.agentZooKeeper;
        Optional<FleetSetup> fleet = FleetSetup.create(config.fleet, client, layout, agentZk,
                AgentEnvironment.of(config.zookeeper.auth.agent, keys.publicKey()), catalog::groupExists, leadership::isLeader);
        if (fleet.isPresent()) {
            fleet.get().managed().forEach(environment.lifecycle()::manage);
            FleetApi.register(environment.jersey(), fleet.get().operations(), config.api);
            DockerFleet docker = fleet.get().docker();
            if (docker != null) {
                removeFleet = () -> {
                    for (Managed managed : fleet.get().managed()) {
                        try {
                            managed.stop();
                        } catch (Exception e) {
                            // stopping everything anyway
                        }
                    }
                    docker.removeAllTasks();
                };
            }
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

    /** How this manager names itself in the leader latch: host name and API port. */
    private static String managerId(LbManagerConfiguration config) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + applicationPort(config) + ":" + ProcessHandle.current().pid() + ":"
                + java.util.UUID.randomUUID().toString().substring(0, 4);
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
