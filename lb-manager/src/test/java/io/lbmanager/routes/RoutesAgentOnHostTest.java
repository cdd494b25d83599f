package io.lbmanager.routes;

import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.AgentState;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.contract.RouteLine;
import io.lbmanager.peers.LuaBalancerProbe;
import io.lbmanager.peers.PeerList;
import io.lbmanager.render.BundleRenderer;
import io.lbmanager.render.Fixtures;
import io.lbmanager.render.RoutedServices;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.signing.SigningKeys;
import io.lbmanager.signing.VersionSigner;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.testsupport.BundlePublisher;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.lbmanager.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transport of routing tables on real parts: a real ZooKeeper, the agent with this host's real
 * nginx (libnginx-mod-http-lua) running a bundle rendered with Lua routing, real loopback backends.
 * Tables are published signed, as the manager publishes them; the agent reads, verifies and pushes
 * them into nginx's router, and confirms them in its status node.
 */
class RoutesAgentOnHostTest {

    private static final String GROUP = Fixtures.GROUP;
    private static final ZkLayout LAYOUT = new ZkLayout("/lb-manager");
    private static final UpstreamMode LUA = UpstreamMode.dynamic(UpstreamMode.DEBIAN_MODULES_DIR, 8).withLuaRouting(4);
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final KeyPair KEYS = SigningKeys.generate();

    @RegisterExtension
    final ZooKeeperExtension zk = ZooKeeperExtension.perTest();
    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private RoutesPublisher routes;
    private CatalogSnapshot snapshot;

    @BeforeEach
    void publishConfig() throws Exception {
        Assumptions.assumeTrue(Fixtures.nginxInstalled() && LuaBalancerProbe.missingModule(UpstreamMode.DEBIAN_MODULES_DIR).isEmpty(),
                "skipped: this host has no nginx with libnginx-mod-http-lua (apt-get install nginx libnginx-mod-http-lua lua-resty-core)");
        snapshot = Fixtures.snapshot(echo("shop", "/shop"), echo("cart", "/cart"));
        ConfigBundle bundle = Fixtures.rendered(new BundleRenderer(Fixtures.templates(), LUA).renderGroup(snapshot, GROUP));
        assertThat(bundle.routesByLua()).isTrue();
        VersionSigner signer = new VersionSigner(KEYS.getPrivate());
        new BundlePublisher(zk.curator(), LAYOUT).publishSigned(1, bundle, signer);
        routes = new RoutesPublisher(zk.curator(), LAYOUT, 5, Optional.of(signer));
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
    }

    private ServiceRecord echo(String id, String basePath) {
        TinyBackend backend = TinyBackend.echoing(id);
        open.add(backend);
        try {
            zk.curator().create().creatingParentsIfNeeded().forPath(LAYOUT.groupPeerList(GROUP, id),
                    new PeerList(id, List.of(new Upstream("127.0.0.1", backend.port()))).encode());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Fixtures.service(id, basePath, Map.of(), new Upstream("127.0.0.1", backend.port()));
    }

    private List<RouteLine> lines(String... serviceIds) {
        List<String> wanted = List.of(serviceIds);
        return RoutedServices.of(snapshot, GROUP, LUA).routes().stream().filter(line -> wanted.contains(line.serviceId())).toList();
    }

    private PublishedVersion publish(List<RouteLine> lines) throws Exception {
        RoutesPublisher.PublishOutcome outcome = routes.publishIfChanged(RoutingTable.of(GROUP, lines), "test");
        return ((RoutesPublisher.PublishOutcome.Published) outcome).version();
    }

    private HostAgent agent(Path runtimeDir) throws Exception {
        HostAgent agent = HostAgent.startTrusting(zk.connectString(), LAYOUT.root(), GROUP, "a1", runtimeDir, HostAgent.NGINX, null,
                SigningKeys.publicKeyPem(KEYS.getPublic()));
        open.add(0, agent);
        return agent;
    }

    private static AgentStatus awaitRoutes(HostAgent agent, long version) throws Exception {
        return await("agent confirms routes version " + version, WITHIN, () -> agent.agent.status(),
                s -> s.state() == AgentState.READY && s.routesVersion() == version);
    }

    private static String answer(HostAgent agent, String path) {
        Http.Response response = Http.tryGet(agent.trafficPort(), path);
        return response.status() + " " + response.body();
    }

    @Test
    void aNewServiceAndARemovalReachNginxWithoutAReloadAndAreConfirmed() throws Exception {
        publish(lines("shop"));
        HostAgent agent = agent(dir.resolve("a1"));
        awaitRoutes(agent, 1);
        assertThat(answer(agent, "/shop/x")).isEqualTo("200 shop /shop/x");
        assertThat(answer(agent, "/cart/x")).startsWith("404 ");
        long appliesBefore = agent.agent.status().applies();

        publish(lines("shop", "cart"));
        awaitRoutes(agent, 2);
        assertThat(answer(agent, "/cart/x")).isEqualTo("200 cart /cart/x");

        publish(lines("cart"));
        awaitRoutes(agent, 3);
        assertThat(answer(agent, "/shop/x")).startsWith("404 ");
        assertThat(answer(agent, "/cart/y")).isEqualTo("200 cart /cart/y");
        assertThat(agent.agent.status().applies()).as("config applies (reloads)").isEqualTo(appliesBefore);
        assertThat(agent.agent.status().runningVersion()).isEqualTo(1);
        Path routesFile = dir.resolve("a1").resolve("last-good").resolve("routes.txt");
        String kept = await("the table nginx took, kept on disk (written off the push thread)", WITHIN,
                () -> java.nio.file.Files.readString(routesFile), text -> text.startsWith("table 3\n"));
        assertThat(kept).contains("cart /cart ").doesNotContain("shop");
    }

    @Test
    void whenNginxHoldsAnotherVersionTheDeltaIsAnswered409AndTheWholeTableFollows() throws Exception {
        publish(lines("shop"));
        HostAgent agent = agent(dir.resolve("a1"));
        awaitRoutes(agent, 1);
        try (io.lbmanager.peers.NginxPeersEndpoint nginx = new io.lbmanager.peers.NginxPeersEndpoint(
                new io.lbmanager.agent.VersionDirectories(dir.resolve("a1")).peersSocket(), Duration.ofSeconds(5))) {
            assertThat(nginx.post("/_lbm/routes", "table 77\n").body()).isEqualTo("77");

            publish(lines("shop", "cart"));

            awaitRoutes(agent, 2);
            assertThat(nginx.get("/_lbm/routes").body()).startsWith("version 2\n").contains("cart /cart ", "shop /shop ");
        }
        assertThat(answer(agent, "/cart/x")).isEqualTo("200 cart /cart/x");
    }

    @Test
    void aCorruptChunkIsRefusedAndReportedWhileNginxKeepsTheTableItHas() throws Exception {
        publish(lines("shop"));
        HostAgent agent = agent(dir.resolve("a1"));
        awaitRoutes(agent, 1);
        zk.curator().getData().forPath(LAYOUT.routesTarget(GROUP));
        RoutingTable next = RoutingTable.of(GROUP, lines("shop", "cart"));
        String cartChunk = next.chunkShas().get(RoutingTable.shard("cart"));
        String shopChunk = next.chunkShas().get(RoutingTable.shard("shop"));
        Assumptions.assumeTrue(!cartChunk.equals(shopChunk), "shop and cart share a shard");
        zk.curator().create().creatingParentsIfNeeded().forPath(LAYOUT.routeChunk(GROUP, cartChunk),
                RouteChunk.encode(lines("shop")).gzip());

        publish(lines("shop", "cart"));

        AgentStatus refused = await("agent refuses routes version 2", WITHIN, () -> agent.agent.status(),
                s -> s.routesFailedVersion() == 2);
        assertThat(refused.routesError()).contains(LAYOUT.routeChunk(GROUP, cartChunk), "does not hash");
        assertThat(refused.routesVersion()).isEqualTo(1);
        assertThat(answer(agent, "/cart/x")).startsWith("404 ");
        assertThat(answer(agent, "/shop/x")).isEqualTo("200 shop /shop/x");
    }

    @Test
    void aTableNamingAProfileTheConfigLacksWaitsAndIsNotPushed() throws Exception {
        publish(lines("shop"));
        HostAgent agent = agent(dir.resolve("a1"));
        awaitRoutes(agent, 1);
        RouteLine cart = lines("cart").get(0);
        RouteLine foreign = new RouteLine("cart", "/cart", "p0000000000", cart.connectTimeoutMs(), cart.sendTimeoutMs(),
                cart.readTimeoutMs(), cart.maxFails(), cart.failTimeoutSeconds(), cart.stripBasePath());

        publish(List.of(lines("shop").get(0), foreign));

        AgentStatus waiting = await("agent waits for a config with the profile", WITHIN, () -> agent.agent.status(),
                s -> s.routesError() != null && s.routesError().contains("p0000000000"));
        assertThat(waiting.routesError()).as("found by the agent before the push").contains("the running config lacks");
        assertThat(waiting.routesVersion()).isEqualTo(1);
        assertThat(waiting.routesFailedVersion()).as("waiting is not a refusal").isZero();
        assertThat(answer(agent, "/cart/x")).startsWith("404 ");
    }

    @Test
    void aRestartedAgentPushesTheWholeTableBeforeItIsReady() throws Exception {
        publish(lines("shop", "cart"));
        HostAgent first = agent(dir.resolve("a1"));
        awaitRoutes(first, 1);
        first.close();
        open.remove(first);

        HostAgent again = HostAgent.startWith(first.settings);
        open.add(0, again);

        await("ready again", WITHIN, () -> Http.tryGet(again.adminPort(), "/ready").status() == 200);
        assertThat(answer(again, "/cart/x")).as("routes served as soon as it is ready").isEqualTo("200 cart /cart/x");
        assertThat(answer(again, "/shop/x")).isEqualTo("200 shop /shop/x");
        assertThat(again.agent.status().routesVersion()).isEqualTo(1);
    }

    @Test
    void restartedWhileZooKeeperIsDownItRoutesWithTheTableFromDiskBeforeItIsReady() throws Exception {
        publish(lines("shop", "cart"));
        HostAgent first = agent(dir.resolve("a1"));
        awaitRoutes(first, 1);
        first.close();
        open.remove(first);
        zk.stop();

        HostAgent again = HostAgent.startWith(first.settings);
        open.add(0, again);

        Http.Response ready = await("ready from disk", WITHIN, () -> Http.tryGet(again.adminPort(), "/ready"), r -> r.status() == 200);
        assertThat(ready.body()).contains("from disk");
        assertThat(answer(again, "/cart/x")).isEqualTo("200 cart /cart/x");
        assertThat(again.agent.status().routesVersion()).isEqualTo(1);
    }
}
