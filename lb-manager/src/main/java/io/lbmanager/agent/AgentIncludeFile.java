package io.lbmanager.agent;

/**
 * Content of {@code lbm-agent.conf}, the one file the agent adds to every version directory: the
 * listen directive of this Nginx and the location that tells which version it serves.
 *
 * <p>TODO replace with {@code io.lbmanager.render.AgentInclude.render(...)} once it lands on this
 * branch; the output shape is the same (listen + {@code location = /_lbm/version}).
 */
final class AgentIncludeFile {

    static final String VERSION_PATH = "/_lbm/version";

    private AgentIncludeFile() {
    }

    static String render(String listenHost, int listenPort, long version, String sha256) {
        return "listen " + listenHost + ":" + listenPort + ";\n"
                + "location = " + VERSION_PATH + " {\n"
                + "    default_type text/plain;\n"
                + "    return 200 \"" + version + " " + sha256 + "\\n\";\n"
                + "}\n";
    }
}
