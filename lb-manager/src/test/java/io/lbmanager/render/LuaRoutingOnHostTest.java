package io.lbmanager.render;

import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.contract.RouteLine;
import io.lbmanager.peers.LuaBalancerProbe;
import io.lbmanager.peers.NginxPeersEndpoint;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.testsupport.BundleNginx;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.TinyBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.lbmanager.render.Fixtures.GROUP;
import static io.lbmanager.render.Fixtures.rendered;
import static io.lbmanager.render.Fixtures.service;
import static io.lbmanager.render.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Services routed by Lua from {@code lbm_routes} on this host's real nginx (libnginx-mod-http-lua),
 * with real loopback backends that echo the request target they receive: the router sends what the
 * file-rendered locations send, routes change with no reload, and {@code /_lbm/routes} applies
 * nothing it refuses.
 */
class LuaRoutingOnHostTest {

    private static final UpstreamMode FILES = UpstreamMode.dynamic(UpstreamMode.DEBIAN_MODULES_DIR, 8);
    private static final UpstreamMode LUA = FILES.withLuaRouting(4);
    private static final String NOT_FOUND = "{\"error\":\"not_found\",\"message\":\"no service is routed at this path\"}\n";

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Map<String, TinyBackend> backends = new HashMap<>();

    @BeforeEach
    void needsLuaNginx() {
        Assumptions.assumeTrue(Fixtures.nginxInstalled() && LuaBalancerProbe.missingModule(UpstreamMode.DEBIAN_MODULES_DIR).isEmpty(),
                "skipped: this host has no nginx with libnginx-mod-http-lua (apt-get install nginx libnginx-mod-http-lua lua-resty-core)");
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
    }

    private ServiceRecord echoService(String id, String basePath, boolean strip) {
        TinyBackend backend = TinyBackend.echoing(id);
        open.add(backend);
        backends.put(id, backend);
        return service(id, basePath, Map.of("stripBasePath", strip), new Upstream("127.0.0.1", backend.port()));
    }

    private BundleNginx nginx(String name, CatalogSnapshot snapshot, UpstreamMode mode) throws Exception {
        ConfigBundle bundle = rendered(new BundleRenderer(Fixtures.templates(), mode).renderGroup(snapshot, GROUP));
        // Nginx's workers (user nobody when the tests run as root) write request bodies under tmp/body of the prefix.
        java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        BundleNginx nginx = BundleNginx.start(dir.resolve(name), bundle);
        open.add(nginx);
        NginxPeersEndpoint.Answer peers = nginx.endpoint().post(peerLines(snapshot));
        assertThat(peers.ok()).as(peers.body()).isTrue();
        return nginx;
    }

    private static String peerLines(CatalogSnapshot snapshot) {
        return snapshot.servicesIn(GROUP).stream()
                .map(s -> s.id() + " " + s.staticUpstreams().stream().map(u -> u.host() + ":" + u.port() + ":1").collect(Collectors.joining(" ")))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    private static String table(long version, CatalogSnapshot snapshot) {
        return RoutedServices.of(snapshot, GROUP, LUA).routes().stream().map(RouteLine::format)
                .collect(Collectors.joining("\n", "table " + version + "\n", "\n"));
    }

    private static String answer(BundleNginx nginx, String path) {
        Http.Response response = Http.tryGet(nginx.port(), path);
        return response.status() + " " + response.body();
    }

    @Test
    void routedNginxSendsEveryRequestToTheBackendAndUriTheFileRenderedNginxDoes() throws Exception {
        CatalogSnapshot snapshot = snapshot(
                echoService("root", "/", true),
                echoService("shop", "/shop", true),
                echoService("cart", "/shop/cart/", false),
                echoService("api", "/api", false),
                echoService("v1", "/api/v1", true),
                echoService("files", "/files", true),
                echoService("raw", "/raw", false));
        BundleNginx files = nginx("files", snapshot, FILES);
        BundleNginx lua = nginx("lua", snapshot, LUA);
        NginxPeersEndpoint.Answer pushed = lua.endpoint().post(AgentInclude.ROUTES_PATH, table(1, snapshot));
        assertThat(pushed.ok()).as(pushed.body()).isTrue();

        List<String> paths = List.of("/", "/x", "/x/y?z=1", "/shop", "/shop/", "/shop/a/b?q=1&r=%20", "/shopx", "/shop/cart",
                "/shop/cart/", "/shop/cart/x?y", "/shop/cartx", "/api", "/api/", "/api?x=1", "/api/v1", "/api/v1/", "/api/v1/users?id=3",
                "/api/v10", "/api/v2/x", "/files/a%20b", "/files/a%2Fb", "/files//double", "/files/a/../b", "/files/%C3%A9x",
                "/files/%7Euser", "/files?x", "/files/?", "/raw/a%20b", "/raw//double/./x", "/raw/a/../b?c=%2F", "/ROOT/Case",
                "/%73hop/encoded", "/x%20y", "/%7Eme/a%2Fb?c");
        Map<String, String> viaFiles = new HashMap<>();
        Map<String, String> viaLua = new HashMap<>();
        for (String path : paths) {
            viaFiles.put(path, answer(files, path));
            viaLua.put(path, answer(lua, path));
        }

        assertThat(viaLua).isEqualTo(viaFiles);
        assertThat(viaFiles.get("/shop/a/b?q=1&r=%20")).isEqualTo("200 shop /a/b?q=1&r=%20");
        assertThat(viaFiles.get("/api/v1/users?id=3")).isEqualTo("200 v1 /users?id=3");
        assertThat(viaFiles.values()).allMatch(answer -> answer.startsWith("200 "));
        assertThat(lua.endpoint().get("/_lbm/stats").body()).contains("shop ");
    }

    @Test
    void bodySizeLimitsOfTheProfileApplyAsInTheFileRenderedLocation() throws Exception {
        CatalogSnapshot snapshot = snapshot(echoService("small", "/small", false), echoService("big", "/big", false));
        snapshot = snapshot(withOptions(snapshot.services().get("small"), Map.of("clientMaxBodySizeMb", 1)),
                withOptions(snapshot.services().get("big"), Map.of("clientMaxBodySizeMb", 5)));
        BundleNginx files = nginx("files", snapshot, FILES);
        BundleNginx lua = nginx("lua", snapshot, LUA);
        assertThat(lua.endpoint().post(AgentInclude.ROUTES_PATH, table(1, snapshot)).ok()).isTrue();

        Map<String, Integer> viaFiles = new HashMap<>();
        Map<String, Integer> viaLua = new HashMap<>();
        for (String path : List.of("/small/x", "/big/x")) {
            for (int kb : new int[]{512, 3 * 1024}) {
                viaFiles.put(path + " " + kb, post(files, path, kb));
                viaLua.put(path + " " + kb, post(lua, path, kb));
            }
        }

        assertThat(viaLua).isEqualTo(viaFiles);
        assertThat(viaFiles).containsEntry("/small/x 3072", 413).containsEntry("/big/x 3072", 200).containsEntry("/small/x 512", 200);
    }

    private static ServiceRecord withOptions(ServiceRecord record, Map<String, Object> options) {
        return service(record.id(), record.definition().basePath(), options, record.staticUpstreams().toArray(new Upstream[0]));
    }

    private static int post(BundleNginx nginx, String path, int kilobytes) throws Exception {
        java.net.http.HttpResponse<Void> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + nginx.port() + path))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[kilobytes * 1024])).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        return response.statusCode();
    }

    @Test
    void aRoutedServiceSkipsADeadPeerAndTimesOutAfterItsOwnReadTimeout() throws Exception {
        TinyBackend live = TinyBackend.echoing("live");
        open.add(live);
        java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        open.add(silent);
        CatalogSnapshot snapshot = snapshot(
                service("pair", "/pair", Map.of(), new Upstream("127.0.0.1", live.port()), new Upstream("127.0.0.1", Http.freePort())),
                service("slow", "/slow", Map.of("proxyReadTimeoutMs", 300, "maxFails", 0), new Upstream("127.0.0.1", silent.getLocalPort())));
        BundleNginx lua = nginx("lua", snapshot, LUA);
        assertThat(lua.endpoint().post(AgentInclude.ROUTES_PATH, table(1, snapshot)).ok()).isTrue();

        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(answer(lua, "/pair/" + i));
        }
        long started = System.nanoTime();
        String slow = answer(lua, "/slow/x");
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(answers).allMatch(answer -> answer.startsWith("200 live /pair/"));
        assertThat(slow).startsWith("504 ");
        assertThat(tookMs).as("a 300 ms read timeout, not the profile location's 60 s default").isLessThan(10_000);
    }

    @Test
    void unmatchedPathsAnswerTheSame404AndAServiceWithoutPeersTheSame503() throws Exception {
        ServiceRecord empty = service("empty", "/empty", Map.of());
        CatalogSnapshot snapshot = snapshot(echoService("shop", "/shop", false), empty);
        BundleNginx files = nginx("files", snapshot, FILES);
        BundleNginx lua = nginx("lua", snapshot, LUA);
        assertThat(lua.endpoint().post(AgentInclude.ROUTES_PATH, table(1, snapshot)).ok()).isTrue();

        for (String path : List.of("/", "/nothing/here", "/empty", "/empty/x")) {
            assertThat(answer(lua, path)).as(path).isEqualTo(answer(files, path));
        }
        assertThat(answer(lua, "/nothing")).isEqualTo("404 " + NOT_FOUND);
        assertThat(answer(lua, "/empty/x")).startsWith("503 ").contains("no_upstreams");
    }

    @Test
    void aNewRouteWithAKnownProfileGoesLiveAndLeavesWithoutAReload() throws Exception {
        CatalogSnapshot before = snapshot(echoService("shop", "/shop", false));
        BundleNginx lua = nginx("lua", before, LUA);
        assertThat(lua.endpoint().post(AgentInclude.ROUTES_PATH, table(1, before)).body()).isEqualTo("1");
        long master = lua.masterPid();
        Set<Long> workers = lua.workerPids();
        assertThat(answer(lua, "/orders/7")).startsWith("404 ");

        ServiceRecord orders = echoService("orders", "/orders", true);
        CatalogSnapshot after = snapshot(before.services().get("shop"), orders);
        RouteLine line = RoutedServices.of(after, GROUP, LUA).routesByService().get("orders");
        assertThat(lua.endpoint().post(peerLines(after)).ok()).isTrue();
        NginxPeersEndpoint.Answer delta = lua.endpoint().post(AgentInclude.ROUTES_PATH, "delta 1 2\n" + line.format() + "\n");

        assertThat(delta.status()).as(delta.body()).isEqualTo(200);
        assertThat(delta.body()).isEqualTo("2");
        assertThat(answer(lua, "/orders/7?x=1")).isEqualTo("200 orders /7?x=1");
        assertThat(answer(lua, "/shop/a")).isEqualTo("200 shop /shop/a");
        assertThat(lua.endpoint().get("/_lbm/routes").body()).isEqualTo("version 2\n" + line.format() + "\n"
                + RoutedServices.of(before, GROUP, LUA).routesByService().get("shop").format());

        NginxPeersEndpoint.Answer removal = lua.endpoint().post(AgentInclude.ROUTES_PATH, "delta 2 3\n- orders\n");
        assertThat(removal.body()).isEqualTo("3");
        assertThat(answer(lua, "/orders/7")).startsWith("404 ");
        assertThat(lua.masterPid()).isEqualTo(master);
        assertThat(lua.workerPids()).isEqualTo(workers);
    }

    @Test
    void aMovedRouteLeavesItsOldBasePath() throws Exception {
        ServiceRecord shop = echoService("shop", "/shop", false);
        BundleNginx lua = nginx("lua", snapshot(shop), LUA);
        assertThat(lua.endpoint().post(AgentInclude.ROUTES_PATH, table(1, snapshot(shop))).ok()).isTrue();
        String moved = RoutedServices.of(snapshot(service("shop", "/store", Map.of(), new Upstream("127.0.0.1", 1))), GROUP, LUA)
                .routes().get(0).format();

        assertThat(lua.endpoint().post(AgentInclude.ROUTES_PATH, "delta 1 2\n" + moved + "\n").body()).isEqualTo("2");

        assertThat(answer(lua, "/store/x")).isEqualTo("200 shop /store/x");
        assertThat(answer(lua, "/shop/x")).startsWith("404 ");
        assertThat(lua.endpoint().get("/_lbm/routes").body()).isEqualTo("version 2\n" + moved);
    }

    @Test
    void theEndpointRefusesABadLineAnUnknownProfileAndAStaleDeltaAndAppliesNothing() throws Exception {
        CatalogSnapshot snapshot = snapshot(echoService("shop", "/shop", false));
        BundleNginx lua = nginx("lua", snapshot, LUA);
        assertThat(lua.endpoint().post(AgentInclude.ROUTES_PATH, table(7, snapshot)).ok()).isTrue();
        String held = lua.endpoint().get("/_lbm/routes").body();
        String good = RoutedServices.of(snapshot(service("cart", "/cart", Map.of(), new Upstream("127.0.0.1", 1))), GROUP, LUA)
                .routes().get(0).format();

        NginxPeersEndpoint.Answer badLine = lua.endpoint().post(AgentInclude.ROUTES_PATH, "delta 7 8\n" + good + "\ncart2 /a/../b p0000000000 1 1 1 1 1 0\n");
        NginxPeersEndpoint.Answer unknown = lua.endpoint().post(AgentInclude.ROUTES_PATH, "delta 7 8\n" + good + "\ncart3 /c3 p0000000000 5000 60000 60000 3 10 0\n");
        NginxPeersEndpoint.Answer stale = lua.endpoint().post(AgentInclude.ROUTES_PATH, "delta 6 8\n" + good + "\n");
        NginxPeersEndpoint.Answer badHeader = lua.endpoint().post(AgentInclude.ROUTES_PATH, "replace 8\n" + good + "\n");
        NginxPeersEndpoint.Answer removalInTable = lua.endpoint().post(AgentInclude.ROUTES_PATH, "table 8\n" + good + "\n- shop\n");

        assertThat(badLine.status()).isEqualTo(400);
        assertThat(badLine.body()).startsWith("line 3: route field basePath is not allowed");
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.body()).isEqualTo("unknown profile p0000000000");
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.body()).isEqualTo("at 7");
        assertThat(badHeader.status()).isEqualTo(400);
        assertThat(badHeader.body()).startsWith("line 1:");
        assertThat(removalInTable.status()).isEqualTo(400);
        assertThat(lua.endpoint().get("/_lbm/routes").body()).isEqualTo(held);
        assertThat(answer(lua, "/cart/x")).startsWith("404 ");
    }

    @Test
    void aFullDictIsSaidAndForgetsTheVersionSoTheNextDeltaAsksForTheWholeTable() throws Exception {
        CatalogSnapshot snapshot = snapshot(echoService("shop", "/shop", false));
        UpstreamMode tiny = FILES.withLuaRouting(1);
        ConfigBundle bundle = rendered(new BundleRenderer(Fixtures.templates(), tiny).renderGroup(snapshot, GROUP));
        BundleNginx lua = BundleNginx.start(dir.resolve("tiny"), bundle);
        open.add(lua);
        String profile = RoutedServices.of(snapshot, GROUP, tiny).routes().get(0).profile();
        StringBuilder table = new StringBuilder("table 1\n");
        for (int i = 0; i < 20_000; i++) {
            table.append("service-").append(i).append(" /service-").append(i).append(' ').append(profile).append(" 5000 60000 60000 3 10 0\n");
        }

        NginxPeersEndpoint.Answer full = lua.endpoint().post(AgentInclude.ROUTES_PATH, table.toString());
        NginxPeersEndpoint.Answer next = lua.endpoint().post(AgentInclude.ROUTES_PATH, "delta 1 2\n- service-1\n");

        assertThat(full.status()).isEqualTo(507);
        assertThat(full.body()).contains("lbm_routes is full", "nginx.routesDictMb");
        assertThat(next.status()).isEqualTo(409);
        assertThat(next.body()).isEqualTo("at none");
    }

    @Test
    void hostileLinesAreRefusedAndNothingIsApplied() throws Exception {
        CatalogSnapshot snapshot = snapshot(echoService("shop", "/shop", false));
        BundleNginx lua = nginx("lua", snapshot, LUA);
        assertThat(lua.endpoint().post(AgentInclude.ROUTES_PATH, table(1, snapshot)).ok()).isTrue();
        String held = lua.endpoint().get("/_lbm/routes").body();
        String profile = RoutedServices.of(snapshot, GROUP, LUA).routes().get(0).profile();
        String tail = " " + profile + " 5000 60000 60000 3 10 0";
        List<String> hostile = List.of(
                "evil /evil\"); os.execute(\"touch /tmp/lbm-pwned\"); --" + tail,
                "evil /evil;location" + tail,
                "evil /evil { return 200; }" + tail,
                "evil /$request_uri" + tail,
                "evil /evil/.." + tail,
                "evil /evil/" + tail,
                "evil //evil" + tail,
                "Evil /evil" + tail,
                "evil\t/evil" + tail,
                "evil /evil " + profile + "]] os.exit() --[[ 5000 60000 60000 3 10 0",
                "evil /evil " + profile + " 5000 60000 60000 3 10 0 extra",
                "evil /evil " + profile + " -1 60000 60000 3 10 0",
                "evil /evil " + profile + " 5000 60000 60000 3 10 2",
                "evil /evil " + profile + " 0x10 60000 60000 3 10 0",
                "evil /evil " + profile + " 99999999999 60000 60000 3 10 0",
                "evil /" + "a".repeat(1100) + tail,
                "- ../evil",
                "- evil;drop");

        for (String line : hostile) {
            NginxPeersEndpoint.Answer answer = lua.endpoint().post(AgentInclude.ROUTES_PATH, "delta 1 2\n" + line + "\n");
            assertThat(answer.status()).as(line).isEqualTo(400);
            assertThat(answer.body()).as(line).startsWith("line 2: ");
        }
        assertThat(lua.endpoint().get("/_lbm/routes").body()).isEqualTo(held);
        assertThat(answer(lua, "/evil")).startsWith("404 ");
        assertThat(Path.of("/tmp/lbm-pwned")).doesNotExist();
    }
}
