package io.lbmanager.agent;

/**
 * Content of {@code lbm-agent.conf}, the one file the agent adds to every version directory: the
 * listen directive of this Nginx and the location that tells which version it serves.
 *
 * <p>TODO replace with {@code io.lbmanager.render.AgentInclude.render(...)} once it lands on this
 * branch (it is on main): same output, byte for byte. Replace the call in ConfigApplier and
 * {@code VERSION_PATH} in VersionProbe, then delete this class.
 */
final class AgentIncludeFile {

    static final String VERSION_PATH = "/_lbm/version";

    private AgentIncludeFile() {
    }

    static String render(String listenHost, int listenPort, long version, String sha256) {
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
