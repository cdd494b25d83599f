package io.lbmanager.render;

/**
 * The content of {@link ConfigBundle#AGENT_FILE}, which the agent writes into every version
 * directory and {@code nginx.conf} includes inside its one server block: where Nginx listens,
 * and a {@code /_lbm/version} location answering {@code "<version> <sha256>\n"}.
 */
public final class AgentInclude {

    public static final String VERSION_PATH = "/_lbm/version";

    private AgentInclude() {
    }

    /** @throws IllegalArgumentException if a value is not an IP literal / host name, a port, a non-negative version or a lowercase hex sha256 */
    public static String render(String listenHost, int listenPort, long version, String sha256) {
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
        String host = listenHost.contains(":") ? "[" + listenHost + "]" : listenHost;
        return "# Written by the lb-manager agent.\n"
                + "listen " + host + ":" + listenPort + ";\n"
                + "\n"
                + "location = " + VERSION_PATH + " {\n"
                + "    access_log off;\n"
                + "    default_type text/plain;\n"
                + "    return 200 \"" + version + " " + sha256 + "\\n\";\n"
                + "}\n";
    }
}
