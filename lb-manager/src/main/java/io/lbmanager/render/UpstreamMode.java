package io.lbmanager.render;

import io.lbmanager.catalog.Upstream;

import java.util.List;

/**
 * How a group's upstream members reach Nginx. {@link #DYNAMIC}: the config holds a Lua balancer
 * per service and the agent pushes each service's peer list into a shared dict, so membership and
 * weight changes need no reload. {@link #RELOAD}: the peers are {@code server} lines in the
 * config, so every change is a new version and a reload.
 *
 * @param luaModulesDir where {@code ndk_http_module.so} and {@code ngx_http_lua_module.so} are (DYNAMIC only)
 * @param peersDictMb   size of the {@code lbm_peers} shared dict (about 2,000 services of 10 peers per MB)
 * @param luaRouting    whether services the Lua balancer serves are routed by Lua from the {@code lbm_routes}
 *                      dict ({@link RoutedServices}) instead of rendered as location files (DYNAMIC only)
 * @param routesDictMb  size of the {@code lbm_routes} shared dict (DYNAMIC only)
 */
public record UpstreamMode(boolean dynamic, String luaModulesDir, int peersDictMb, boolean luaRouting, int routesDictMb) {

    public static final UpstreamMode RELOAD = new UpstreamMode(false, null, 0);
    public static final String DEBIAN_MODULES_DIR = "/usr/lib/nginx/modules";
    /** The {@code lbm_routes} size when no other is given: about 80,000 routes (two dict entries each). */
    public static final int DEFAULT_ROUTES_DICT_MB = 32;

    public UpstreamMode(boolean dynamic, String luaModulesDir, int peersDictMb) {
        this(dynamic, luaModulesDir, peersDictMb, false, dynamic ? DEFAULT_ROUTES_DICT_MB : 0);
    }

    public UpstreamMode {
        if (luaRouting && !dynamic) {
            throw new IllegalArgumentException("routing by Lua needs dynamic upstreams");
        }
        if (dynamic) {
            if (routesDictMb < 1 || routesDictMb > 4096) {
                throw new IllegalArgumentException("routes dict size must be 1..4096 MB, was " + routesDictMb);
            }
            if (luaModulesDir == null || !luaModulesDir.startsWith("/") || !SafeValues.isAbsolutePath(luaModulesDir)) {
                throw new IllegalArgumentException("Lua modules directory '" + luaModulesDir + "' is not a plain absolute path");
            }
            if (peersDictMb < 1 || peersDictMb > 4096) {
                throw new IllegalArgumentException("peers dict size must be 1..4096 MB, was " + peersDictMb);
            }
        }
    }

    public static UpstreamMode dynamic(String luaModulesDir, int peersDictMb) {
        return new UpstreamMode(true, luaModulesDir, peersDictMb);
    }

    /** This mode with services the Lua balancer serves routed by Lua, from an {@code lbm_routes} dict of {@code routesDictMb}. */
    public UpstreamMode withLuaRouting(int routesDictMb) {
        return new UpstreamMode(dynamic, luaModulesDir, peersDictMb, true, routesDictMb);
    }

    /**
     * What {@code lbm-modules.conf} holds: both modules by absolute path (Debian's own includes are relative),
     * and {@code env LBM_ZONE} so the Lua balancer sees the zone of the task Nginx runs in.
     */
    public String loadModuleDirectives() {
        return "# Rendered by lb-manager from nginx.luaModulesDir.\n"
                + "load_module " + luaModulesDir + "/ndk_http_module.so;\n"
                + "load_module " + luaModulesDir + "/ngx_http_lua_module.so;\n"
                + "# The zone of this Nginx's task, for zone-aware routing (unset: no zone).\n"
                + "env LBM_ZONE;\n";
    }

    /**
     * Whether a service's peers go through the Lua balancer: the group is dynamic, the service
     * balances round robin (the balancer's only policy) and every peer is an IPv4 literal (the
     * balancer takes no names). Otherwise the service gets {@code server} lines, and reloads.
     */
    public boolean balancesDynamically(RenderOptions options, List<Upstream> upstreams) {
        return dynamic
                && options.loadBalancing() == RenderOptions.LoadBalancing.ROUND_ROBIN
                && upstreams.stream().allMatch(UpstreamMode::isBalancerPeer);
    }

    /** A peer the Lua balancer can take: IPv4 literal, port 1..65535, weight 1..{@link Upstream#MAX_WEIGHT}. */
    public static boolean isBalancerPeer(Upstream upstream) {
        return SafeValues.isIpv4(upstream.host()) && SafeValues.isPort(upstream.port())
                && upstream.weight() >= 1 && upstream.weight() <= Upstream.MAX_WEIGHT;
    }
}
