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

    /**
     * {@code mode} with services routed by Lua ({@link UpstreamMode#withLuaRouting}) when {@code routing} is {@code lua}, the
     * upstreams are dynamic, the templates have {@link TemplateSet#PROFILE} and this nginx runs the router of their
     * {@code lbm-lua.conf}; otherwise {@code mode} (services rendered as files), saying why.
     *
     * @param routing {@code lua} or {@code files}
     */
    public static UpstreamMode withRouting(UpstreamMode mode, String routing, String nginxBinary, int routesDictMb, TemplateSet templates) {
        if (!mode.dynamic() || routing.equals("files")) {
            LOG.info("routing=files ({}): every new, moved or removed service reloads Nginx",
                    mode.dynamic() ? "nginx.routing is files" : "upstreams are not dynamic");
            return mode;
        }
        if (!templates.templates().containsKey(TemplateSet.PROFILE)) {
            LOG.warn("routing=files: the template directory has no {}; every new, moved or removed service reloads Nginx", TemplateSet.PROFILE);
            return mode;
        }
        UpstreamMode routed = mode.withLuaRouting(routesDictMb);
        LuaBalancerProbe.Verdict verdict = probe(nginxBinary, new BundleRenderer(templates, routed), templates, true);
        if (!verdict.available()) {
            LOG.warn("routing=files: the Lua router cannot run ({}); every new, moved or removed service reloads Nginx", verdict.reason());
            return mode;
        }
        LOG.info("routing=lua: new, moved and removed services reach Nginx without a reload unless they need a new option profile");
        return routed;
    }

    private static LuaBalancerProbe.Verdict probe(String nginxBinary, BundleRenderer renderer, TemplateSet templates) {
        return probe(nginxBinary, renderer, templates, false);
    }

    private static LuaBalancerProbe.Verdict probe(String nginxBinary, BundleRenderer renderer, TemplateSet templates, boolean router) {
        if (!templates.templates().containsKey(TemplateSet.LUA)) {
            return new LuaBalancerProbe.Verdict(false, "the template directory has no " + TemplateSet.LUA);
        }
        String luaConf;
        try {
            luaConf = renderer.luaFile();
        } catch (TemplateSetException e) {
            return new LuaBalancerProbe.Verdict(false, e.getMessage());
        }
        return LuaBalancerProbe.probe(nginxBinary, renderer.mode().luaModulesDir(), luaConf, router, PROBE_TIMEOUT);
    }
}
