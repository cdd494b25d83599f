package io.lbmanager.peers;

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
        LuaBalancerProbe.Verdict verdict = LuaBalancerProbe.probe(Fixtures.NGINX, UpstreamMode.DEBIAN_MODULES_DIR, Duration.ofSeconds(10));

        assertThat(verdict.available()).as(verdict.reason()).isTrue();
    }

    @Test
    void aMissingModuleIsNamed(@TempDir Path empty) {
        LuaBalancerProbe.Verdict verdict = LuaBalancerProbe.probe(Fixtures.NGINX, empty.toString(), Duration.ofSeconds(10));

        assertThat(verdict.available()).isFalse();
        assertThat(verdict.reason()).contains(empty.resolve("ndk_http_module.so").toString(), "does not exist");
    }

    @Test
    void aModuleThatDoesNotLoadIsReportedWithNginxsWords(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ndk_http_module.so"), "not a shared object");
        Files.writeString(dir.resolve("ngx_http_lua_module.so"), "not a shared object");

        LuaBalancerProbe.Verdict verdict = LuaBalancerProbe.probe(Fixtures.NGINX, dir.toString(), Duration.ofSeconds(10));

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
}
