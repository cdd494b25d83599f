package io.lbmanager.render;

import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.validate.NginxValidator;
import io.lbmanager.validate.ValidationResult;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static io.lbmanager.render.Fixtures.GROUP;
import static io.lbmanager.render.Fixtures.rendered;
import static io.lbmanager.render.Fixtures.service;
import static io.lbmanager.render.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

/** What a bundle holds when services are routed by Lua: no files for them, one upstream and named location per profile. */
class LuaRoutingRenderTest {

    private static final UpstreamMode LUA = UpstreamMode.dynamic(UpstreamMode.DEBIAN_MODULES_DIR, 8).withLuaRouting(4);
    private static final Upstream IP = new Upstream("10.0.0.1", 8080);
    private static final Upstream NAME = new Upstream("backend.internal", 8080);

    private static RenderOutcome render(CatalogSnapshot snapshot) {
        return new BundleRenderer(Fixtures.templates(), LUA).renderGroup(snapshot, GROUP);
    }

    /** @param profilesStick whether an unused profile stays until something else changes (the pipeline's renderer) or goes at once */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void aChangeOfRoutedServicesOnlyAnswersTheSameBundleAsAFullRenderThroughRandomChanges(boolean profilesStick) {
        java.util.Random random = new java.util.Random(3);
        ProfilesInUse inUse = profilesStick ? group -> java.util.Set.of() : ProfilesInUse.NONE;
        IncrementalRenderer checking = new IncrementalRenderer(Fixtures.templates(), LUA, inUse);
        IncrementalRenderer rendering = new IncrementalRenderer(Fixtures.templates(), LUA, inUse, -1);
        CatalogSnapshot snapshot = snapshot(service("shop", "/shop", Map.of(), IP));
        for (int step = 0; step < 300; step++) {
            String id = "s" + random.nextInt(25);
            String basePath = random.nextInt(5) == 0 ? "/s" + random.nextInt(25) + "/deep" : "/" + id;
            int action = random.nextInt(20);
            if (action < 8) {
                snapshot = snapshot.withService(service(id, basePath, Map.of("maxFails", random.nextInt(3)), IP));
            } else if (action < 9) {
                snapshot = snapshot.withService(service(id, basePath, Map.of("clientMaxBodySizeMb", 1 + random.nextInt(3)), IP));
            } else if (action < 10) {
                snapshot = snapshot.withService(service(id, basePath, Map.of(), NAME)); // file-rendered, may shadow routed ones
            } else if (action < 12) {
                snapshot = snapshot.withoutService(id);
            } else {
                snapshot = Fixtures.withDiscovered(snapshot, id, new io.lbmanager.snapshot.DiscoveredInstance(id, id + "-" + step,
                        random.nextInt(10) == 0 ? "backend.internal" : "10.0.1." + (step % 200), 80, true));
            }
            RenderOutcome checked = checking.renderGroup(snapshot, GROUP);
            RenderOutcome rendered = rendering.renderGroup(snapshot, GROUP);
            assertThat(checked.getClass()).as("step " + step).isEqualTo(rendered.getClass());
            if (rendered instanceof RenderOutcome.Rendered r) {
                assertThat(((RenderOutcome.Rendered) checked).bundle().files()).as("step " + step).isEqualTo(r.bundle().files());
                assertThat(((RenderOutcome.Rendered) checked).bundle().sha256()).as("step " + step).isEqualTo(r.bundle().sha256());
            }
        }
        assertThat(checking.sameConfigRenders()).as("renders answered without rendering").isGreaterThan(100);
        assertThat(rendering.sameConfigRenders()).isZero();
    }

    @Test
    void routedServicesHaveNoFilesAndEachProfileOneUpstreamAndNamedLocation() {
        CatalogSnapshot snapshot = snapshot(service("shop", "/shop", Map.of(), IP), service("ws", "/ws", Map.of("websocket", true), IP),
                service("named", "/named", Map.of(), NAME));

        ConfigBundle bundle = rendered(render(snapshot));

        String shop = OptionProfile.of(OptionDefaults.defaults()).name();
        String ws = OptionProfile.of(OptionDefaults.resolve(Map.of("websocket", true))).name();
        assertThat(bundle.files()).doesNotContainKeys("upstreams/shop.conf", "locations/shop.conf", "locations/ws.conf")
                .containsKeys("upstreams/named.conf", "locations/named.conf");
        assertThat(bundle.routesByLua()).isTrue();
        assertThat(bundle.files().get(ConfigBundle.PROFILES_FILE).lines().sorted().toList())
                .isEqualTo(Set.of(shop, ws).stream().sorted().toList());
        assertThat(bundle.files().get(BundleRenderer.PROFILE_UPSTREAMS_FILE))
                .contains("upstream lbm-profile-" + shop + " {", "balancer_by_lua_block { lbm.balance_routed() }", "keepalive 32;",
                        "map \"\" $lbm_profiles {");
        assertThat(bundle.files().get(BundleRenderer.PROFILE_LOCATIONS_FILE))
                .contains("location @lbm_" + ws + " {", "proxy_pass http://lbm-profile-" + ws + "$lbm_upstream_uri;",
                        "proxy_set_header Upgrade $http_upgrade;", "client_max_body_size 10m;");
        assertThat(bundle.files().get(ConfigBundle.MAIN_FILE)).contains("include lbm-profile-upstreams.conf;",
                "include lbm-profile-locations.conf;", "set $lbm_service \"\";", "access_by_lua_block { lbm.route() }");
        assertThat(bundle.files().get(ConfigBundle.LUA_FILE)).contains("lua_shared_dict lbm_routes 4m;");
    }

    @Test
    void aNewRoutedServiceWithAKnownProfileRendersTheSameBytesAndANewProfileDoesNot() {
        ConfigBundle one = rendered(render(snapshot(service("shop", "/shop", Map.of(), IP))));
        ConfigBundle two = rendered(render(snapshot(service("shop", "/shop", Map.of(), IP), service("cart", "/cart",
                Map.of("stripBasePath", true, "proxyReadTimeoutMs", 1_000), IP))));
        ConfigBundle newProfile = rendered(render(snapshot(service("shop", "/shop", Map.of(), IP), service("big", "/big",
                Map.of("clientMaxBodySizeMb", 500), IP))));

        assertThat(two.sha256()).isEqualTo(one.sha256());
        assertThat(newProfile.sha256()).isNotEqualTo(one.sha256());
        assertThat(newProfile.files().get(BundleRenderer.PROFILE_LOCATIONS_FILE)).contains("client_max_body_size 500m;");
    }

    @Test
    void aProfileARoutingTableStillNamesStaysAndAnUnusedOneGoesWithTheNextChange() {
        String usual = OptionProfile.of(OptionDefaults.defaults()).name();
        String big = OptionProfile.of(OptionDefaults.resolve(Map.of("clientMaxBodySizeMb", 500))).name();
        java.util.concurrent.atomic.AtomicReference<Set<String>> inUse = new java.util.concurrent.atomic.AtomicReference<>(Set.of());
        IncrementalRenderer renderer = new IncrementalRenderer(Fixtures.templates(), LUA, group -> inUse.get());
        rendered(renderer.renderGroup(snapshot(service("shop", "/shop", Map.of(), IP)), GROUP));
        inUse.set(Set.of(usual)); // agents hold shop's line at the usual profile

        CatalogSnapshot moved = snapshot(service("shop", "/shop", Map.of("clientMaxBodySizeMb", 500), IP));
        ConfigBundle both = rendered(renderer.renderGroup(moved, GROUP));
        inUse.set(Set.of(big)); // every agent confirmed the table with shop at the big profile
        ConfigBundle unchanged = rendered(renderer.renderGroup(moved, GROUP));
        CatalogSnapshot withHuge = snapshot(service("shop", "/shop", Map.of("clientMaxBodySizeMb", 500), IP),
                service("huge", "/huge", Map.of("clientMaxBodySizeMb", 900), IP));
        String huge = OptionProfile.of(OptionDefaults.resolve(Map.of("clientMaxBodySizeMb", 900))).name();
        ConfigBundle after = rendered(renderer.renderGroup(withHuge, GROUP));

        assertThat(both.files().get(ConfigBundle.PROFILES_FILE).lines().sorted().toList())
                .isEqualTo(Set.of(usual, big).stream().sorted().toList());
        assertThat(both.files().get(BundleRenderer.PROFILE_LOCATIONS_FILE)).contains("location @lbm_" + usual + " {",
                "location @lbm_" + big + " {");
        assertThat(unchanged.sha256()).as("dropping the unused profile alone would be a reload for nothing").isEqualTo(both.sha256());
        assertThat(after.files().get(ConfigBundle.PROFILES_FILE).lines().sorted().toList())
                .isEqualTo(Set.of(big, huge).stream().sorted().toList());
        assertThat(after.sha256()).isEqualTo(rendered(render(withHuge)).sha256());
    }

    @Test
    void aValueTheRouteLineRefusesQuarantinesTheServiceWithItsField() {
        RenderOutcome outcome = render(snapshot(service("shop", "/shop", Map.of(), IP),
                service("slow", "/slow", Map.of("proxyConnectTimeoutMs", 0), IP)));

        assertThat(outcome).isInstanceOfSatisfying(RenderOutcome.InputRejected.class, rejected -> {
            assertThat(rejected.serviceId()).isEqualTo("slow");
            assertThat(rejected.field()).isEqualTo("options.proxyConnectTimeoutMs");
        });
        ConfigBundle quarantined = rendered(new BundleRenderer(Fixtures.templates(), LUA).renderGroup(snapshot(
                service("shop", "/shop", Map.of(), IP), service("slow", "/slow", Map.of("proxyConnectTimeoutMs", 0), IP)), GROUP, Set.of("slow")));
        assertThat(quarantined.files()).doesNotContainKeys("locations/slow.conf");
    }

    @Test
    void incrementalRendersEqualFullRendersAsServicesMoveBetweenLuaAndFiles() {
        IncrementalRenderer incremental = new IncrementalRenderer(Fixtures.templates(), LUA);
        ServiceRecord nested = service("nested", "/api/v2", Map.of(), IP);
        CatalogSnapshot[] steps = {
                snapshot(service("api", "/api", Map.of(), IP), nested),
                snapshot(service("api", "/api", Map.of(), NAME), nested),
                snapshot(service("api", "/api", Map.of(), IP), nested),
                snapshot(nested),
        };
        for (CatalogSnapshot step : steps) {
            ConfigBundle full = rendered(render(step));
            ConfigBundle kept = rendered(incremental.renderGroup(step, GROUP));
            assertThat(kept.files()).isEqualTo(full.files());
            assertThat(kept.sha256()).isEqualTo(full.sha256());
        }
        assertThat(rendered(render(steps[1])).files()).containsKeys("locations/api.conf", "locations/nested.conf");
        assertThat(rendered(render(steps[2])).files()).doesNotContainKeys("locations/api.conf", "locations/nested.conf");
    }

    @Test
    void theProfileFilesPassNginxTest() {
        Assumptions.assumeTrue(Fixtures.nginxInstalled(), "skipped: no nginx at " + Fixtures.NGINX);
        ConfigBundle bundle = rendered(render(snapshot(service("shop", "/shop", Map.of(), IP), service("root", "/", Map.of("websocket", true,
                "keepaliveConnections", 0), IP), service("hashed", "/hashed", Map.of("loadBalancing", "ip_hash"), IP))));

        assertThat(new NginxValidator(Fixtures.NGINX, Duration.ofSeconds(15)).validate(bundle)).isInstanceOf(ValidationResult.Valid.class);
    }
}
