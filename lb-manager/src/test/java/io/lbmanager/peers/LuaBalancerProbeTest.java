package io.lbmanager.peers;

import io.lbmanager.render.BundleRenderer;
import io.lbmanager.render.Fixtures;
import io.lbmanager.render.TemplateSet;
import io.lbmanager.render.UpstreamMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Needs this host's nginx with libnginx-mod-http-lua and lua-resty-core, which .ci/run installs. */
class LuaBalancerProbeTest {

    @Test
    void thisHostsNginxRunsTheLuaBalancer() {
        LuaBalancerProbe.Verdict verdict = LuaBalancerProbe.probe(Fixtures.NGINX, UpstreamMode.DEBIAN_MODULES_DIR, luaConf(Fixtures.templates()), Duration.ofSeconds(10));

        assertThat(verdict.available()).as(verdict.reason()).isTrue();
    }

    @Test
    void aMissingModuleIsNamed(@TempDir Path empty) {
        LuaBalancerProbe.Verdict verdict = LuaBalancerProbe.probe(Fixtures.NGINX, empty.toString(), luaConf(Fixtures.templates()), Duration.ofSeconds(10));

        assertThat(verdict.available()).isFalse();
        assertThat(verdict.reason()).contains(empty.resolve("ndk_http_module.so").toString(), "does not exist");
    }

    @Test
    void aModuleThatDoesNotLoadIsReportedWithNginxsWords(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ndk_http_module.so"), "not a shared object");
        Files.writeString(dir.resolve("ngx_http_lua_module.so"), "not a shared object");

        LuaBalancerProbe.Verdict verdict = LuaBalancerProbe.probe(Fixtures.NGINX, dir.toString(), luaConf(Fixtures.templates()), Duration.ofSeconds(10));

        assertThat(verdict.available()).isFalse();
        assertThat(verdict.reason()).contains("did not answer", "ndk_http_module.so");
    }

    @Test
    void autoFallsBackToReloadsAndOnRefusesToStart(@TempDir Path empty) {
        TemplateSet templates = Fixtures.templates();

        assertThat(UpstreamModes.choose("auto", Fixtures.NGINX, empty.toString(), 8, templates)).isEqualTo(UpstreamMode.RELOAD);
        assertThat(UpstreamModes.choose("off", Fixtures.NGINX, UpstreamMode.DEBIAN_MODULES_DIR, 8, templates)).isEqualTo(UpstreamMode.RELOAD);
        assertThat(UpstreamModes.choose("auto", Fixtures.NGINX, UpstreamMode.DEBIAN_MODULES_DIR, 8, templates).dynamic()).isTrue();
        assertThatThrownBy(() -> UpstreamModes.choose("on", Fixtures.NGINX, empty.toString(), 8, templates))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("nginx.dynamicUpstreams is on but the Lua balancer cannot run")
                .hasMessageContaining("ndk_http_module.so does not exist");
    }

    @Test
    void templatesWithoutTheLuaTemplateFallBackToReloads() {
        Map<String, String> withoutLua = new TreeMap<>(Fixtures.templates().templates());
        withoutLua.remove(TemplateSet.LUA);

        assertThat(UpstreamModes.choose("auto", Fixtures.NGINX, UpstreamMode.DEBIAN_MODULES_DIR, 8, TemplateSet.of(withoutLua)))
                .isEqualTo(UpstreamMode.RELOAD);
        assertThatThrownBy(() -> UpstreamModes.choose("on", Fixtures.NGINX, UpstreamMode.DEBIAN_MODULES_DIR, 8, TemplateSet.of(withoutLua)))
                .hasMessageContaining("no lua.conf.ftl");
    }

    @Test
    void luaThatNginxTestAcceptsButThatFailsAtStartIsRefusedWithNginxsWords() {
        TemplateSet broken = withLua(Fixtures.templates().templates().get(TemplateSet.LUA)
                .replace("lbm = {}", "lbm = {}\n    local nothing = nil\n    nothing.call()"));

        LuaBalancerProbe.Verdict verdict = LuaBalancerProbe.probe(Fixtures.NGINX, UpstreamMode.DEBIAN_MODULES_DIR, luaConf(broken),
                Duration.ofSeconds(10));

        assertThat(verdict.available()).isFalse();
        assertThat(verdict.reason()).contains("init_by_lua", "lbm-lua.conf", "attempt to index", "nothing");
        assertThat(UpstreamModes.choose("auto", Fixtures.NGINX, UpstreamMode.DEBIAN_MODULES_DIR, 8, broken)).isEqualTo(UpstreamMode.RELOAD);
    }

    @Test
    void luaWhoseUpdateOrBalancerIsMissingIsRefused() {
        String lua = Fixtures.templates().templates().get(TemplateSet.LUA);
        TemplateSet noBalance = withLua(lua.replace("function lbm.balance(", "function lbm.balanced("));
        TemplateSet updateRefusesAll = withLua(lua.replace("local updates = {}", "do ngx.status = 400; ngx.say(\"no\"); return ngx.exit(400) end\n        local updates = {}"));

        LuaBalancerProbe.Verdict missing = LuaBalancerProbe.probe(Fixtures.NGINX, UpstreamMode.DEBIAN_MODULES_DIR, luaConf(noBalance),
                Duration.ofSeconds(10));
        LuaBalancerProbe.Verdict refusing = LuaBalancerProbe.probe(Fixtures.NGINX, UpstreamMode.DEBIAN_MODULES_DIR,
                luaConf(updateRefusesAll), Duration.ofSeconds(10));

        assertThat(missing.available()).isFalse();
        assertThat(missing.reason()).contains("lbm.balance and lbm.require_peers", "'nil function'");
        assertThat(refusing.available()).isFalse();
        assertThat(refusing.reason()).contains("lbm.update_peers()", "400", "'no'");
    }

    @Test
    void aLuaTemplateThatDoesNotRenderIsNamedWithItsLine() {
        TemplateSet broken = withLua("lua_shared_dict lbm_peers ${noSuchValue}m;\n");

        assertThatThrownBy(() -> UpstreamModes.choose("on", Fixtures.NGINX, UpstreamMode.DEBIAN_MODULES_DIR, 8, broken))
                .hasMessageContaining("template lua.conf.ftl:1", "noSuchValue");
    }

    @Test
    void routingByLuaNeedsTheRouterFunctionsAndTheProfileTemplate() {
        UpstreamMode dynamic = UpstreamMode.dynamic(UpstreamMode.DEBIAN_MODULES_DIR, 8);
        String lua = Fixtures.templates().templates().get(TemplateSet.LUA);
        TemplateSet noRouter = withLua(lua.replace("function lbm.route(", "function lbm.routed("));
        Map<String, String> withoutProfile = new TreeMap<>(Fixtures.templates().templates());
        withoutProfile.remove(TemplateSet.PROFILE);

        LuaBalancerProbe.Verdict missing = LuaBalancerProbe.probe(Fixtures.NGINX, UpstreamMode.DEBIAN_MODULES_DIR, luaConf(noRouter),
                true, Duration.ofSeconds(10));

        assertThat(missing.available()).isFalse();
        assertThat(missing.reason()).contains("lbm.route, lbm.balance_routed", "'nil function function function'");
        assertThat(LuaBalancerProbe.probe(Fixtures.NGINX, UpstreamMode.DEBIAN_MODULES_DIR, luaConf(noRouter), false, Duration.ofSeconds(10))
                .available()).isTrue();
        assertThat(UpstreamModes.withRouting(dynamic, "lua", Fixtures.NGINX, 4, Fixtures.templates())).isEqualTo(dynamic.withLuaRouting(4));
        assertThat(UpstreamModes.withRouting(dynamic, "lua", Fixtures.NGINX, 4, noRouter)).isEqualTo(dynamic);
        assertThat(UpstreamModes.withRouting(dynamic, "lua", Fixtures.NGINX, 4, TemplateSet.of(withoutProfile))).isEqualTo(dynamic);
        assertThat(UpstreamModes.withRouting(dynamic, "files", Fixtures.NGINX, 4, Fixtures.templates())).isEqualTo(dynamic);
        assertThat(UpstreamModes.withRouting(UpstreamMode.RELOAD, "lua", Fixtures.NGINX, 4, Fixtures.templates())).isEqualTo(UpstreamMode.RELOAD);
    }

    private static TemplateSet withLua(String luaTemplate) {
        return Fixtures.templates().withOverrides(Map.of(TemplateSet.LUA, luaTemplate));
    }

    private static String luaConf(TemplateSet templates) {
        return new BundleRenderer(templates, UpstreamMode.dynamic(UpstreamMode.DEBIAN_MODULES_DIR, 8)).luaFile();
    }
}
