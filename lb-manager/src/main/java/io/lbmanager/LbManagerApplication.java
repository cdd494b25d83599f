package io.lbmanager;

import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.lbmanager.agent.AgentCommand;
import io.lbmanager.agent.AgentEnvironment;
import io.lbmanager.api.AuthApi;
import io.lbmanager.api.BaragonApi;
import io.lbmanager.api.CatalogApi;
import io.lbmanager.api.DiscoveryResource;
import io.lbmanager.api.HibernationResource;
import io.lbmanager.api.FleetApi;
import io.lbmanager.api.GroupEndpointsResource;
import io.lbmanager.api.GroupRuntimeResource;
import io.lbmanager.api.ManagerResource;
import io.lbmanager.api.OpenApiResource;
import io.lbmanager.api.RequestBodies;
import io.lbmanager.api.ServiceOwnership;
import io.lbmanager.api.ServiceStatusResource;
import io.lbmanager.api.ServiceUpstreamsResource;
import io.lbmanager.api.UsageResource;
import io.lbmanager.api.ValidateResource;
import io.lbmanager.baragon.LoadBalancerRequests;
import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.catalog.CatalogWrites;
import io.lbmanager.catalog.ServiceValidator;
import io.lbmanager.cli.ValidateCommand;
import io.lbmanager.config.PipelineConfig;
import io.lbmanager.config.ZooKeeperConfig;
import io.lbmanager.dashboard.DashboardBundle;
import io.lbmanager.demo.DemoBanner;
import io.lbmanager.demo.DemoCommand;
import io.lbmanager.demo.DemoSetup;
import io.lbmanager.demo.RegisterCommand;
import io.lbmanager.discovery.DiscoveryWatcher;
import io.lbmanager.hibernation.HibernationNodes;
import io.lbmanager.hibernation.Hibernator;
import io.lbmanager.hibernation.Schedulers;
import io.lbmanager.peers.AgentReports;
import io.lbmanager.peers.PeerPublisher;
import io.lbmanager.zones.ZoneRanges;
import io.lbmanager.peers.PublishedPeers;
import io.lbmanager.peers.UpstreamModes;
import io.lbmanager.render.IncrementalRenderer;
import io.lbmanager.render.TemplateSet;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.routes.PublishedRoutes;
import io.lbmanager.routes.ProposedRoutes;
import io.lbmanager.routes.RoutesPipeline;
import io.lbmanager.routes.RoutesPublisher;
import io.lbmanager.routes.RoutesRollout;
import io.lbmanager.routes.RoutesRolloutStore;
import io.lbmanager.routes.RoutesSync;
import io.lbmanager.rollout.AgentDirectory;
import io.lbmanager.rollout.AgentLagHealthCheck;
import io.lbmanager.rollout.ConfigPipeline;
import io.lbmanager.rollout.GroupStatusStore;
import io.lbmanager.rollout.PinWatcher;
import io.lbmanager.rollout.PublishedBundles;
import io.lbmanager.rollout.RenderRequests;
import io.lbmanager.rollout.RolloutCoordinator;
import io.lbmanager.rollout.RolloutMetrics;
import io.lbmanager.usage.UsageKeeper;
import io.lbmanager.usage.UsageMetrics;
import io.lbmanager.usage.UsagePrices;
import io.lbmanager.usage.UsageRecords;
import io.lbmanager.rollout.RolloutStore;
import io.lbmanager.rollout.VersionPublisher;
import io.lbmanager.signing.KeygenCommand;
import io.lbmanager.signing.ManagerKeys;
import io.lbmanager.signing.VersionVerifier;
import io.lbmanager.snapshot.CatalogWatcher;
import io.lbmanager.snapshot.DiscoveryGuard;
import io.lbmanager.snapshot.HoldReleases;
import io.lbmanager.snapshot.SnapshotSource;
import io.lbmanager.validate.NginxJails;
import io.lbmanager.validate.NginxTestQueue;
import io.lbmanager.validate.NginxValidator;
import io.lbmanager.zk.AclSetup;
import io.lbmanager.zk.EmbeddedZooKeeper;
import io.lbmanager.zk.Leadership;
import io.lbmanager.zk.LeadershipHealthCheck;
import io.lbmanager.zk.ManagerAcls;
import io.lbmanager.zk.ManagerZooKeeper;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.zk.ZkNodes;
import io.lbmanager.zk.ZooKeeperBoundHealthCheck;
import io.lbmanager.zk.ZooKeeperHealthCheck;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

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
        bootstrap.addCommand(new RegisterCommand());
        bootstrap.addCommand(new ValidateCommand());
        bootstrap.addCommand(new KeygenCommand());
    }

    /**
     * The parts of the manager, wired in the order data flows through them: ZooKeeper; the sources
     * of desired state (catalog watch, discovery watch) feeding the one guarded snapshot; its
     * consumers (peer lists, and render -> nginx -t -> rollout); the REST API, health and metrics;
     * the fleet of Nginx tasks.
     */
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
        Leadership leadership = new Leadership(client, layout.leader(), managerId(config));

        CatalogStore catalog = new CatalogStore(client, layout, System::currentTimeMillis, new CatalogWrites());
        environment.lifecycle().manage(onStart(() -> config.groups.forEach(catalog::createGroup)));

        // sources -> one guarded snapshot
        SnapshotSource snapshots = new SnapshotSource(discoveryGuard(config.pipeline));
        client.getConnectionStateListenable().addListener((c, state) -> {
            if (state == ConnectionState.LOST) {
                snapshots.sessionLost(System.currentTimeMillis());
            } else if (state == ConnectionState.RECONNECTED) {
                snapshots.reconnected(System.currentTimeMillis());
            }
        });
        CatalogWatcher catalogWatcher = new CatalogWatcher(client, layout, CatalogStore::parseService, snapshots);
        DiscoveryWatcher discovery = new DiscoveryWatcher(client, config.discovery.basePath, snapshots);
        HoldReleases holdReleases = new HoldReleases(client, layout, snapshots);

        // snapshot -> peer lists (no render, no reload)
        TemplateSet templates = TemplateSet.load(Path.of(config.nginx.templatesDir));
        UpstreamMode upstreamMode = UpstreamModes.choose(config.nginx.dynamicUpstreams, config.nginx.binary,
                config.nginx.luaModulesDir, config.nginx.peersDictMb, templates);
        upstreamMode = UpstreamModes.withRouting(upstreamMode, config.nginx.routing, config.nginx.binary, config.nginx.routesDictMb, templates);
        PeerPublisher peerPublisher = new PeerPublisher(client, layout, upstreamMode, leadership::isLeader,
                ZoneRanges.from(config.zones));

        // snapshot -> render -> nginx -t -> publish -> rollout to every agent
        NginxValidator validator = new NginxValidator(config.nginx.binary, Duration.ofSeconds(config.nginx.validateTimeoutSeconds),
                config.nginx.sandboxDir.isBlank() ? NginxValidator.defaultSandboxParent() : Path.of(config.nginx.sandboxDir),
                NginxJails.configured(config.nginx));
        ProposedRoutes proposedRoutes = new ProposedRoutes();
        IncrementalRenderer renderer = new IncrementalRenderer(templates, upstreamMode, proposedRoutes);
        VersionPublisher publisher = new VersionPublisher(client, layout, config.pipeline.versionsKept, keys.signer());
        AgentDirectory agents = new AgentDirectory(client, layout);
        RolloutStore rolloutStore = new RolloutStore(client, layout);
        GroupStatusStore statusStore = new GroupStatusStore(client, layout);
        PublishedBundles published = new PublishedBundles(publisher, rolloutStore);
        RolloutMetrics metrics = RolloutMetrics.register(environment.metrics(), snapshots::groups, rolloutStore, statusStore, agents);
        RenderRequests renders = new RenderRequests(config.pipeline.quietMillis, config.pipeline.maxDelayMillis);
        RolloutCoordinator coordinator = new RolloutCoordinator(rolloutStore, publisher, agents,
                Duration.ofSeconds(config.pipeline.rolloutTimeoutSeconds), leadership::isLeader, snapshots::groups, renders, metrics);
        ConfigPipeline pipeline = new ConfigPipeline(renders, renderer, validator, published, coordinator, statusStore,
                leadership::isLeader, config.pipeline.maxDelayMillis);
        PinWatcher pins = new PinWatcher(client, layout, renders);

        // snapshot -> routing tables -> every agent's Lua router (no render, no reload)
        RoutesRolloutStore routesStore = new RoutesRolloutStore(new ZkNodes(client), layout);
        RoutesRollout routesRollout = new RoutesRollout(routesStore,
                new RoutesPublisher(client, layout, config.pipeline.versionsKept, keys.signer()), rolloutStore, agents,
                Duration.ofSeconds(config.pipeline.rolloutTimeoutSeconds), leadership::isLeader);
        PublishedRoutes publishedRoutes = new PublishedRoutes(client, layout, routesStore,
                keys.publicKey().map(VersionVerifier::new));
        RoutesPipeline routesPipeline = new RoutesPipeline(routesRollout, upstreamMode, leadership::isLeader,
                group -> published.target(group).map(target -> RoutesSync.profilesOf(target.bundle().files())), proposedRoutes,
                catalog.writes()).seedingFrom(publishedRoutes::heldTables);
        coordinator.onTargetMoved(routesPipeline::configTargetMoved);

        snapshots.tell(peerPublisher).tell(pipeline).tell(routesPipeline);
        leadership.tell(peerPublisher).tell(pipeline).tell(coordinator).tell(routesPipeline);
        List.of(snapshots, peerPublisher, pipeline, coordinator, routesPipeline, pins, catalogWatcher, discovery, holdReleases, leadership)
                .forEach(environment.lifecycle()::manage);

        // the REST API, health and metrics
        ServiceValidator serviceValidator = new ServiceValidator(catalog::groupExists);
        RequestBodies bodies = new RequestBodies(config.api.maxBodyBytes);
        CatalogApi.register(environment.jersey(), catalog, config.api);
        AuthApi auth = AuthApi.register(environment.jersey(), client, layout, catalog, config.api, System.getenv());
        environment.lifecycle().manage(auth);
        environment.jersey().register(new GroupRuntimeResource(snapshots, publisher, rolloutStore, coordinator, statusStore, agents, bodies,
                routesStore));
        environment.jersey().register(new GroupEndpointsResource(snapshots, rolloutStore, agents));
        environment.jersey().register(new ServiceStatusResource(snapshots, statusStore));
        PublishedPeers publishedPeers = new PublishedPeers(client, layout);
        environment.lifecycle().manage(publishedPeers);
        ServiceUpstreamsResource routing = ServiceUpstreamsResource.create(snapshots, statusStore, published, agents, publishedPeers,
                new AgentReports(), publishedRoutes);
        environment.jersey().register(routing);
        environment.jersey().register(routing.overview());
        environment.jersey().register(new DiscoveryResource(snapshots, holdReleases));
        Hibernator hibernator = new Hibernator(snapshots::current, agents, new AgentReports(), new HibernationNodes(client, layout),
                Schedulers.configured(config.hibernation, config.fleet.singularity), leadership::isLeader, System::currentTimeMillis,
                Duration.ofMillis(config.hibernation.checkEveryMillis));
        environment.lifecycle().manage(hibernator);
        environment.jersey().register(new HibernationResource(snapshots, hibernator));
        NginxTestQueue nginxTests = new NginxTestQueue(validator, config.api.validateSlots(), config.api.validateQueueLength,
                Duration.ofMillis(config.api.validateMaxWaitMillis), NginxTestQueue.REUSE_VERDICTS_FOR);
        // Its own renderer: a proposal's render must not become what the pipeline's next render starts from (it keeps profiles).
        IncrementalRenderer proposals = new IncrementalRenderer(templates, upstreamMode);
        environment.jersey().register(new ValidateResource(snapshots, templates, proposals, nginxTests, published, statusStore,
                serviceValidator, bodies, new ServiceOwnership(catalog)));
        environment.jersey().register(new ManagerResource(leadership, upstreamMode));
        environment.jersey().register(new OpenApiResource());
        if (config.baragon.enabled) {
            BaragonApi.register(environment.jersey(), new LoadBalancerRequests(client, layout, catalog, rolloutStore, publisher, statusStore,
                    agents, publishedRoutes, config.baragon.requestsKept, config.baragon.confirmTimeoutSeconds * 1000L, System::currentTimeMillis), catalog, config.api);
        }
        environment.healthChecks().register("zookeeper", new ZooKeeperHealthCheck(client));
        environment.healthChecks().register("leadership", new ZooKeeperBoundHealthCheck(client, new LeadershipHealthCheck(leadership)));
        environment.healthChecks().register("agents", new ZooKeeperBoundHealthCheck(client, new AgentLagHealthCheck(snapshots::groups,
                rolloutStore, agents, Duration.ofSeconds(config.pipeline.rolloutTimeoutSeconds))));
        PrometheusRegistry prometheus = new PrometheusRegistry();
        DropwizardExports.builder().dropwizardRegistry(environment.metrics()).register(prometheus);
        environment.admin().addServlet("prometheus", new PrometheusMetricsServlet(prometheus)).addMapping("/metrics/prometheus");
        UsageRecords usageRecords = new UsageRecords(client, layout);
        UsageMetrics usageMetrics = new UsageMetrics(usageRecords, snapshots::groups, config.usage.metricsTopServices);
        usageMetrics.register(prometheus);
        environment.lifecycle().manage(new UsageKeeper(usageRecords, usageMetrics, snapshots::groups, leadership::isLeader,
                Duration.ofDays(config.usage.retentionDays)));
        environment.jersey().register(new UsageResource(snapshots, usageRecords, new UsagePrices(config.usage.pricePerMillionRequests,
                config.usage.pricePerGbOut, config.usage.pricePerGbIn, config.usage.pricePerCoreHour, config.usage.pricePerGbHourMemory)));

        // the fleet of Nginx tasks
        String agentZk = config.fleet.agentZooKeeper.isBlank() ? connectString : config.fleet.agentZooKeeper;
        Optional<FleetAssembly> fleet = FleetAssembly.create(config.fleet, client, layout, agentZk,
                AgentEnvironment.of(config.zookeeper.auth.agent, keys.publicKey()), catalog::groupExists, leadership::isLeader);
        fleet.ifPresent(f -> {
            f.managed().forEach(environment.lifecycle()::manage);
            FleetApi.register(environment.jersey(), f.operations(), config.api);
        });
        if (config.demo) {
            environment.lifecycle().manage(new DemoSetup(client, config.discovery.basePath, catalog, publisher, agents,
                    new DemoBanner(connectString, config.discovery.basePath, "http://127.0.0.1:" + applicationPort(config),
                    auth.adminToken().orElse(null), upstreamMode.dynamic(), DemoBanner.runningJar()), () -> fleet.ifPresent(FleetAssembly::removeEverything)));
        }
    }

    private static DiscoveryGuard discoveryGuard(PipelineConfig pipeline) {
        return new DiscoveryGuard(pipeline.discoveryMaxLossShare, pipeline.discoveryGuardMinInstances,
                pipeline.sessionLossHoldSeconds * 1000L, pipeline.discoveryLossWindowSeconds * 1000L,
                pipeline.discoveryGuardMinServices, pipeline.discoveryHoldMaxSeconds * 1000L);
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
