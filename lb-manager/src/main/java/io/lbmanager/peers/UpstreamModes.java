package io.lbmanager.peers;

import io.lbmanager.render.BundleRenderer;
import io.lbmanager.render.TemplateSet;
import io.lbmanager.render.TemplateSetException;
import io.lbmanager.render.UpstreamMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/** Picks the manager's {@link UpstreamMode} at start-up from its setting, its templates and what its nginx can load. */
public final class UpstreamModes {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamModes.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

    private UpstreamModes() {
    }

    /**
     * @param setting {@code auto}, {@code on} or {@code off}
     * @throws IllegalStateException if the setting is {@code on} and the Lua balancer cannot run, saying why
     */
    public static UpstreamMode choose(String setting, String nginxBinary, String luaModulesDir, int peersDictMb, TemplateSet templates) {
        if (setting.equals("off")) {
            LOG.info("upstreams=reload (nginx.dynamicUpstreams is off): every upstream change reloads Nginx");
            return UpstreamMode.RELOAD;
        }
        UpstreamMode dynamic = UpstreamMode.dynamic(luaModulesDir, peersDictMb);
        LuaBalancerProbe.Verdict verdict = probe(nginxBinary, new BundleRenderer(templates, dynamic), templates);
        if (verdict.available()) {
            LOG.info("upstreams=dynamic: membership and weight changes reach Nginx without a reload; {}", verdict.reason());
            return dynamic;
        }
        if (setting.equals("on")) {
            throw new IllegalStateException("nginx.dynamicUpstreams is on but the Lua balancer cannot run: " + verdict.reason());
        }
        LOG.warn("upstreams=reload: the Lua balancer cannot run ({}); every upstream change reloads Nginx", verdict.reason());
        return UpstreamMode.RELOAD;
    }

    private static LuaBalancerProbe.Verdict probe(String nginxBinary, BundleRenderer renderer, TemplateSet templates) {
        if (!templates.templates().containsKey(TemplateSet.LUA)) {
            return new LuaBalancerProbe.Verdict(false, "the template directory has no " + TemplateSet.LUA);
        }
        String luaConf;
        try {
            luaConf = renderer.luaFile();
        } catch (TemplateSetException e) {
            return new LuaBalancerProbe.Verdict(false, e.getMessage());
        }
        return LuaBalancerProbe.probe(nginxBinary, renderer.mode().luaModulesDir(), luaConf, PROBE_TIMEOUT);
    }
}
