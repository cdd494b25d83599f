package io.lbmanager.config;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/** The Nginx binary the manager validates rendered bundles with, and the templates it renders. */
public class NginxConfig {

    @NotBlank
    public String binary = "nginx";

    @Min(1)
    public int validateTimeoutSeconds = 15;

    /**
     * {@code auto}: upstream membership and weight changes reach Nginx without a reload when this
     * host's nginx can run the Lua balancer (libnginx-mod-http-lua + lua-resty-core), else by reload;
     * {@code on}: refuse to start without it; {@code off}: always reload.
     */
    @jakarta.validation.constraints.Pattern(regexp = "auto|on|off")
    public String dynamicUpstreams = "auto";

    /** Where ndk_http_module.so and ngx_http_lua_module.so are, on the manager and on every Nginx host. */
    @NotBlank
    public String luaModulesDir = "/usr/lib/nginx/modules";

    /** Size of Nginx's lbm_peers shared dict; 1 MB holds about 2,000 services of 10 peers. */
    @Min(1)
    public int peersDictMb = 32;

    /**
     * {@code lua}: with dynamic upstreams, services the Lua balancer serves are routed by Lua from the
     * {@code lbm_routes} dict, so a new, moved or removed service needs no reload unless it needs a new
     * option profile; {@code files}: every service is rendered as location files (every such change reloads).
     */
    @jakarta.validation.constraints.Pattern(regexp = "lua|files")
    public String routing = "lua";

    /** Size of Nginx's lbm_routes shared dict; 1 MB holds about 2,500 routes. */
    @Min(1)
    public int routesDictMb = 32;

    /** Where {@code nginx -t} sandboxes are created; empty is /dev/shm when writable, else the JVM's temporary directory. */
    @NotNull
    public String sandboxDir = "";

    /**
     * Where the manager's {@code nginx -t} runs: {@code bwrap} (bubblewrap: user nobody, no network,
     * sees only /usr, the modules and its sandbox); {@code none} runs it as the manager's user on the
     * host, only for operators who accept that risk (logged at WARN at start).
     */
    @jakarta.validation.constraints.Pattern(regexp = "bwrap|none")
    public String jail = "bwrap";

    /** The bubblewrap binary for {@code jail: bwrap}. */
    @NotBlank
    public String bwrapBinary = "bwrap";

    /** Directory of FreeMarker templates (see templates/README.md). */
    @NotBlank
    public String templatesDir = "templates";
}
