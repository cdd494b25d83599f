package io.lbmanager.routes;

import io.lbmanager.catalog.CatalogWrites;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.render.OptionDefaults;
import io.lbmanager.render.OptionProfile;
import io.lbmanager.render.RenderOptions;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.rollout.AgentDirectory;
import io.lbmanager.rollout.RolloutStore;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.SnapshotChange;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.zk.ZkNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static io.lbmanager.render.Fixtures.GROUP;
import static io.lbmanager.render.Fixtures.service;
import static io.lbmanager.render.Fixtures.snapshot;
import static io.lbmanager.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/** The routes pipeline on a real ZooKeeper: a route waits for its option profile in the group's config target, alone. */
class RoutesPipelineTest {

    private static final ZkLayout LAYOUT = new ZkLayout("/lb-manager");
    private static final UpstreamMode ROUTING = UpstreamMode.dynamic(UpstreamMode.DEBIAN_MODULES_DIR, 8).withLuaRouting(4);
    private static final Upstream IP = new Upstream("10.0.0.1", 8080);
    private static final Duration WITHIN = Duration.ofSeconds(10);

    @RegisterExtension
    final ZooKeeperExtension zk = ZooKeeperExtension.perTest();
    private RoutesPipeline pipeline;

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.stop();
        }
    }

    @Test
    void aRouteWhoseProfileTheConfigLacksWaitsAloneAndFollowsItsConfigWithoutACatalogChange() throws Exception {
        String usual = profile(Map.of());
        String big = profile(Map.of("clientMaxBodySizeMb", 50));
        AtomicReference<Set<String>> configProfiles = new AtomicReference<>(Set.of(usual));
        pipeline = new RoutesPipeline(rollout(), ROUTING, () -> true, group -> Optional.of(configProfiles.get()));
        CatalogSnapshot snapshot = snapshot(service("shop", "/shop", Map.of(), IP), service("uploads", "/uploads",
                Map.of("clientMaxBodySizeMb", 50), IP));

        pipeline.snapshotChanged(snapshot, SnapshotChange.of(SnapshotChange.Cause.CATALOG));

        await("shop in the routes target", WITHIN, () -> targetServices().equals(Set.of("shop")));
        configProfiles.set(Set.of(usual, big)); // the config with the new profile is now the target
        await("uploads joins the routes target with no catalog change", WITHIN,
                () -> targetServices().equals(Set.of("shop", "uploads")));
    }

    @Test
    void aServiceMovingToANewProfileKeepsItsLineUntilTheConfigTargetHasTheProfile() throws Exception {
        String usual = profile(Map.of());
        String big = profile(Map.of("clientMaxBodySizeMb", 50));
        AtomicReference<Set<String>> configProfiles = new AtomicReference<>(Set.of(usual));
        ProposedRoutes proposed = new ProposedRoutes();
        pipeline = new RoutesPipeline(rollout(), ROUTING, () -> true, group -> Optional.of(configProfiles.get()), proposed,
                new CatalogWrites());
        pipeline.snapshotChanged(snapshot(service("shop", "/shop", Map.of(), IP)), SnapshotChange.of(SnapshotChange.Cause.CATALOG));
        await("shop in the routes target at the usual profile", WITHIN, () -> usual.equals(targetProfileOf("shop")));

        pipeline.snapshotChanged(snapshot(service("shop", "/shop", Map.of("clientMaxBodySizeMb", 50), IP), service("cart", "/cart",
                Map.of(), IP)), SnapshotChange.of(SnapshotChange.Cause.CATALOG));
        await("cart joins while shop waits for its profile", WITHIN, () -> targetServices().equals(Set.of("shop", "cart")));
        assertThat(targetProfileOf("shop")).as("shop keeps the line Nginx serves it by").isEqualTo(usual);

        configProfiles.set(Set.of(usual, big));
        pipeline.configTargetMoved(GROUP);
        await("shop at the big profile once the config target has it", WITHIN, () -> big.equals(targetProfileOf("shop")));
        await("the renderer told the big profile is in use", WITHIN, () -> proposed.of(GROUP).contains(big));
    }

    @Test
    void aNewLeaderKeepsTheLineTheLastLeaderHeldForAServiceWhoseNewProfileWaits() throws Exception {
        String usual = profile(Map.of());
        String big = profile(Map.of("clientMaxBodySizeMb", 50));
        RoutesPipeline lastLeader = new RoutesPipeline(rollout(), ROUTING, () -> true, group -> Optional.of(Set.of(usual)));
        try {
            lastLeader.snapshotChanged(snapshot(service("shop", "/shop", Map.of(), IP)), SnapshotChange.of(SnapshotChange.Cause.CATALOG));
            await("shop in the routes target at the usual profile", WITHIN, () -> usual.equals(targetProfileOf("shop")));
        } finally {
            lastLeader.stop();
        }
        ProposedRoutes proposed = new ProposedRoutes();
        PublishedRoutes published = new PublishedRoutes(zk.curator(), LAYOUT, new RoutesRolloutStore(new ZkNodes(zk.curator()), LAYOUT),
                Optional.empty());
        pipeline = new RoutesPipeline(rollout(), ROUTING, () -> true, group -> Optional.of(Set.of(usual)), proposed, new CatalogWrites())
                .seedingFrom(published::heldTables);
        pipeline.leadershipGained();

        pipeline.snapshotChanged(snapshot(service("shop", "/shop", Map.of("clientMaxBodySizeMb", 50), IP), service("cart", "/cart",
                Map.of(), IP)), SnapshotChange.of(SnapshotChange.Cause.CATALOG));

        await("cart joins the routes target", WITHIN, () -> targetServices().contains("cart"));
        assertThat(targetServices()).as("shop is not dropped while its profile waits").contains("shop");
        assertThat(targetProfileOf("shop")).as("shop keeps the line Nginx serves it by").isEqualTo(usual);
        assertThat(proposed.of(GROUP)).as("the renderer keeps the profile agents may still route by").contains(usual).doesNotContain(big);
    }

    @Test
    void servicesWrittenByCallsAnsweredTogetherGoOutInOneTable() throws Exception {
        String usual = profile(Map.of());
        CatalogWrites writes = new CatalogWrites();
        pipeline = new RoutesPipeline(rollout(), ROUTING, () -> true, group -> Optional.of(Set.of(usual)), new ProposedRoutes(), writes);
        ServiceRecord shop = service("shop", "/shop", Map.of(), IP);
        ServiceRecord cart = service("cart", "/cart", Map.of(), IP);
        long shopCall = writes.begin();
        long cartCall = writes.begin();

        writes.committed("shop", shop);
        writes.end(shopCall);
        pipeline.snapshotChanged(snapshot(shop), SnapshotChange.of(SnapshotChange.Cause.CATALOG));
        Thread.sleep(100); // time enough for a pipeline that did not wait to publish shop alone
        writes.committed("cart", cart);
        writes.end(cartCall);
        pipeline.snapshotChanged(snapshot(shop, cart), SnapshotChange.of(SnapshotChange.Cause.CATALOG));

        await("shop and cart in the routes target", WITHIN, () -> targetServices().equals(Set.of("shop", "cart")));
        assertThat(new RoutesReader(zk.curator(), LAYOUT, GROUP, Optional.empty()).target().orElseThrow().version())
                .as("routes versions published").isEqualTo(1);
    }

    @Test
    void aCallThatNeverEndsHoldsTheTableOnlyForTheGatheringBound() throws Exception {
        String usual = profile(Map.of());
        CatalogWrites writes = new CatalogWrites();
        pipeline = new RoutesPipeline(rollout(), ROUTING, () -> true, group -> Optional.of(Set.of(usual)), new ProposedRoutes(), writes);
        writes.begin();

        pipeline.snapshotChanged(snapshot(service("shop", "/shop", Map.of(), IP)), SnapshotChange.of(SnapshotChange.Cause.CATALOG));

        await("shop in the routes target although a call is still answered", WITHIN, () -> targetServices().equals(Set.of("shop")));
    }

    private String targetProfileOf(String serviceId) throws Exception {
        RoutesReader reader = new RoutesReader(zk.curator(), LAYOUT, GROUP, Optional.empty());
        Optional<PublishedVersion> target = reader.target();
        if (target.isEmpty() || !(reader.read(target.get()) instanceof RoutesReader.Read.Table read)) {
            return null;
        }
        io.lbmanager.contract.RouteLine line = read.table().routes().get(serviceId);
        return line == null ? null : line.profile();
    }

    private RoutesRollout rollout() {
        return new RoutesRollout(new RoutesRolloutStore(new ZkNodes(zk.curator()), LAYOUT),
                new RoutesPublisher(zk.curator(), LAYOUT, 5, Optional.empty()), new RolloutStore(zk.curator(), LAYOUT),
                new AgentDirectory(zk.curator(), LAYOUT), Duration.ofSeconds(30), () -> true);
    }

    private static String profile(Map<String, Object> options) {
        RenderOptions resolved = OptionDefaults.resolve(options);
        return OptionProfile.of(resolved).name();
    }

    private Set<String> targetServices() throws Exception {
        RoutesReader reader = new RoutesReader(zk.curator(), LAYOUT, GROUP, Optional.empty());
        Optional<PublishedVersion> target = reader.target();
        if (target.isEmpty() || !(reader.read(target.get()) instanceof RoutesReader.Read.Table read)) {
            return Set.of();
        }
        return read.table().routes().keySet();
    }
}
