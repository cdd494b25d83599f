package io.lbmanager.render;

import io.lbmanager.contract.ConfigBundle;

/**
 * The content of {@link ConfigBundle#AGENT_FILE}, which the agent writes into every version
 * directory and {@code nginx.conf} includes inside its one server block: where Nginx listens,
 * and a {@code /_lbm/version} location answering {@code "<version> <sha256>\n"}. With dynamic
 * upstreams it also listens on a unix socket, the only way into {@code /_lbm/peers},
 * {@code /_lbm/routes} and {@code /_lbm/stats}.
 */
public final class AgentInclude {

    public static final String VERSION_PATH = "/_lbm/version";
    public static final String STATS_PATH = "/_lbm/stats";
    /** {@code POST} a routing table or delta, {@code GET} the routes Nginx holds (see lua.conf.ftl, {@code lbm.update_routes}). */
    public static final String ROUTES_PATH = "/_lbm/routes";
    public static final String HIBERNATION_PATH = "/_lbm/hibernation";
    public static final String USAGE_PATH = "/_lbm/usage";
    private static final String PEERS_LOCATION = "\n"
            + "# The agent replaces peer lists here, through the unix socket only.\n"
            + "location = /_lbm/peers {\n"
            + "    allow unix:;\n"
            + "    deny all;\n"
            + "    access_log off;\n"
            + "    client_max_body_size 64m;\n"
            + "    client_body_buffer_size 64m;\n"
            + "    content_by_lua_block { lbm.update_peers() }\n"
            + "}\n"
            + "\n"
            + "# The agent replaces and reads the routes of the services Lua routes here, through the unix socket only.\n"
            + "location = " + ROUTES_PATH + " {\n"
            + "    allow unix:;\n"
            + "    deny all;\n"
            + "    access_log off;\n"
            + "    client_max_body_size 64m;\n"
            + "    client_body_buffer_size 64m;\n"
            + "    content_by_lua_block { lbm.update_routes() }\n"
            + "}\n"
            + "\n"
            + "# The agent reads the peers Nginx holds and its per-service counters here, through the unix socket only.\n"
            + "location = " + STATS_PATH + " {\n"
            + "    allow unix:;\n"
            + "    deny all;\n"
            + "    access_log off;\n"
            + "    content_by_lua_block { lbm.report() }\n"
            + "}\n"
            + "\n"
            + "# The agent sends the hibernated services and reads the wake requests here, through the unix socket only.\n"
            + "location = " + HIBERNATION_PATH + " {\n"
            + "    allow unix:;\n"
            + "    deny all;\n"
            + "    access_log off;\n"
            + "    content_by_lua_block { lbm.hibernation_exchange() }\n"
            + "}\n"
            + "\n"
            + "# The agent reads the usage counters (chargeback) here, through the unix socket only.\n"
            + "location = " + USAGE_PATH + " {\n"
            + "    allow unix:;\n"
            + "    deny all;\n"
            + "    access_log off;\n"
            + "    content_by_lua_block { lbm.report_usage() }\n"
            + "}\n";

    private AgentInclude() {
    }

    public static String render(String listenHost, int listenPort, long version, String sha256) {
        return render(listenHost, listenPort, null, version, sha256);
    }

    /**
     * @param peersSocket absolute path of a unix socket to listen on as well, the only way into {@code /_lbm/peers}
     *                    (which needs the Lua balancer of a dynamic bundle); null for neither
     * @throws IllegalArgumentException if a value is not an IP literal / host name, a port, a plain absolute path,
     *                                  a non-negative version or a lowercase hex sha256
     */
    public static String render(String listenHost, int listenPort, String peersSocket, long version, String sha256) {
        if (!SafeValues.isHost(listenHost)) {
            throw new IllegalArgumentException("listen host '" + listenHost + "' is not an IP literal or host name");
        }
        if (!SafeValues.isPort(listenPort)) {
            throw new IllegalArgumentException("listen port " + listenPort + " is not in 1..65535");
        }
        if (version < 0) {
            throw new IllegalArgumentException("version must not be negative, was " + version);
        }
        if (!SafeValues.isSha256(sha256)) {
            throw new IllegalArgumentException("sha256 '" + sha256 + "' is not 64 lowercase hex digits");
        }
        if (peersSocket != null && !SafeValues.isAbsolutePath(peersSocket)) {
            throw new IllegalArgumentException("peers socket '" + peersSocket + "' is not a plain absolute path");
        }
        String host = listenHost.contains(":") ? "[" + listenHost + "]" : listenHost;
        return "# Written by the lb-manager agent.\n"
                + "listen " + host + ":" + listenPort + ";\n"
                + (peersSocket == null ? "" : "listen unix:" + peersSocket + ";\n")
                + "\n"
                + "location = " + VERSION_PATH + " {\n"
                + "    access_log off;\n"
                + "    default_type text/plain;\n"
                + "    return 200 \"" + version + " " + sha256 + "\\n\";\n"
                + "}\n"
                + (peersSocket == null ? "" : PEERS_LOCATION);
    }
}
