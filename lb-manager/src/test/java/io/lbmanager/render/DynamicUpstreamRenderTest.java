package io.lbmanager.render;

import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.DiscoveredInstance;
import io.lbmanager.validate.NginxValidator;
import io.lbmanager.validate.ValidationResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.lbmanager.render.Fixtures.GROUP;
import static io.lbmanager.render.Fixtures.rendered;
import static io.lbmanager.render.Fixtures.service;
import static io.lbmanager.render.Fixtures.snapshot;
import static io.lbmanager.render.Fixtures.withDiscovered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DynamicUpstreamRenderTest {

    private static final UpstreamMode DYNAMIC = UpstreamMode.dynamic(UpstreamMode.DEBIAN_MODULES_DIR, 8);
    private static final Upstream B1 = new Upstream("10.0.0.1", 8080);
    private static final Upstream B2 = new Upstream("10.0.0.2", 8080);

    private static ConfigBundle render(CatalogSnapshot snapshot) {
        return rendered(new BundleRenderer(Fixtures.templates(), DYNAMIC).renderGroup(snapshot, GROUP));
    }

    @Test
    void membershipAndWeightDoNotChangeTheBytesOfADynamicGroup() {
        ConfigBundle one = render(snapshot(service("shop", "/shop", Map.of(), B1)));
        ConfigBundle two = render(snapshot(service("shop", "/shop", Map.of(), B1, B2)));
        ConfigBundle none = render(snapshot(service("shop", "/shop", Map.of())));
        ConfigBundle weighted = render(withDiscovered(snapshot(service("shop", "/shop", Map.of(), B1)), "shop",
                new DiscoveredInstance("shop", "i1", "10.0.0.3", 9000, true, 5)));

        assertThat(two.sha256()).isEqualTo(one.sha256());
        assertThat(none.sha256()).isEqualTo(one.sha256());
        assertThat(weighted.sha256()).isEqualTo(one.sha256());
        assertThat(one.files().get("upstreams/shop.conf"))
                .contains("server 0.0.0.1;", "balancer_by_lua_block { lbm.balance(\"shop\", 3, 10) }", "keepalive 32;")
                .doesNotContain("10.0.0.1");
        assertThat(one.files().get("locations/shop.conf")).contains("access_by_lua_block { lbm.require_peers(\"shop\") }");
    }

    @Test
    void dynamicBundleLoadsTheModulesAndTheAgentOpensThePeersLocationToTheUnixSocketOnly() {
        ConfigBundle bundle = render(snapshot(service("shop", "/shop", Map.of(), B1)));

        assertThat(bundle.hasDynamicUpstreams()).isTrue();
        assertThat(bundle.files().get("nginx.conf")).contains("include lbm-modules.conf;", "include lbm-lua.conf;");
        assertThat(bundle.files().get(ConfigBundle.MODULES_FILE)).contains("load_module /usr/lib/nginx/modules/ndk_http_module.so;",
                "load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;");
        assertThat(bundle.files().get(ConfigBundle.LUA_FILE)).contains("lua_shared_dict lbm_peers 8m;", "init_by_lua_block {");
        assertThat(AgentInclude.render("127.0.0.1", 8080, "/run/lbm/peers.sock", 3, "a".repeat(64)))
                .contains("listen unix:/run/lbm/peers.sock;", "location = /_lbm/peers {", "allow unix:;", "deny all;",
                        "content_by_lua_block { lbm.update_peers() }");
        assertThat(AgentInclude.render("127.0.0.1", 8080, null, 3, "a".repeat(64))).doesNotContain("unix:", "_lbm/peers");
    }

    @Test
    void servicesTheBalancerCannotServeGetServerLinesAndReload() {
        ConfigBundle bundle = render(snapshot(
                service("named", "/named", Map.of(), new Upstream("backend.internal", 80)),
                service("v6", "/v6", Map.of(), new Upstream("2001:db8::1", 80)),
                service("hashed", "/hashed", Map.of("loadBalancing", "ip_hash"), B1),
                service("plain", "/plain", Map.of(), B2)));

        assertThat(bundle.files().get("upstreams/named.conf")).contains("server backend.internal:80 ").doesNotContain("balancer_by_lua");
        assertThat(bundle.files().get("upstreams/v6.conf")).contains("server [2001:db8::1]:80 ");
        assertThat(bundle.files().get("upstreams/hashed.conf")).contains("ip_hash;", "server 10.0.0.1:8080 ");
        assertThat(bundle.files().get("locations/hashed.conf")).doesNotContain("lbm.require_peers");
        assertThat(bundle.files().get("upstreams/plain.conf")).contains("balancer_by_lua_block");
    }

    @Test
    void reloadModeRendersWeightsAsServerParametersAndNoLua() {
        CatalogSnapshot snapshot = withDiscovered(snapshot(service("shop", "/shop", Map.of(), B1)), "shop",
                new DiscoveredInstance("shop", "i1", "10.0.0.3", 9000, true, 5));
        ConfigBundle bundle = rendered(new BundleRenderer(Fixtures.templates(), UpstreamMode.RELOAD).renderGroup(snapshot, GROUP));

        assertThat(bundle.hasDynamicUpstreams()).isFalse();
        assertThat(bundle.files().get("nginx.conf")).doesNotContain("load_module", "lua");
        assertThat(bundle.files().get("upstreams/shop.conf"))
                .contains("server 10.0.0.3:9000 weight=5 max_fails=3", "server 10.0.0.1:8080 max_fails=3");
    }

    @Test
    void dynamicBundlePassesTheRealNginxTest() {
        ConfigBundle bundle = render(snapshot(
                service("shop", "/shop", Map.of("websocket", true), B1), service("root", "/", Map.of()),
                service("named", "/named", Map.of(), new Upstream("localhost", 80))));

        assertThat(new NginxValidator(Fixtures.NGINX, Duration.ofSeconds(15)).validate(bundle)).isInstanceOf(ValidationResult.Valid.class);
    }

    @Test
    void modulesDirectoryMustBeAPlainAbsolutePath() {
        assertThatThrownBy(() -> UpstreamMode.dynamic("modules", 8)).hasMessageContaining("'modules' is not a plain absolute path");
        assertThatThrownBy(() -> UpstreamMode.dynamic("/usr/lib; evil", 8)).hasMessageContaining("not a plain absolute path");
        assertThatThrownBy(() -> UpstreamMode.dynamic("/usr/lib/nginx/modules", 0)).hasMessageContaining("1..4096 MB");
    }
}
