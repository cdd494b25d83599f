package io.lbmanager.demo;

import io.lbmanager.config.DiscoveryConfig;
import io.lbmanager.contract.AgentStatus;

import java.nio.file.Path;
import java.util.List;

/**
 * The block the demo prints once every Nginx of its group serves: everything a newcomer copies
 * (ZooKeeper connect string, Nginx URLs, dashboard, API, token, a registration to run). One
 * {@code label: value} per line, so scripts and tests can read it too.
 *
 * @param zooKeeper         the connect string of the ZooKeeper the manager uses
 * @param discoveryBasePath where teams register through Curator x-discovery
 * @param apiUrl            the manager's base URL, e.g. {@code http://127.0.0.1:8080}
 * @param adminToken        the demo's admin token, or null when none is configured
 * @param dynamicUpstreams  whether upstream changes reach Nginx through the Lua balancer (else by reload)
 * @param jar               how to name the manager's jar on a command line
 */
public record DemoBanner(String zooKeeper, String discoveryBasePath, String apiUrl, String adminToken,
                         boolean dynamicUpstreams, String jar) {

    public static final String HEADER = "=== lb-manager demo is serving ===";
    public static final String FOOTER = "=== end of the lb-manager demo block ===";

    /** The jar this class was loaded from, relative to the working directory when under it. */
    public static String runningJar() {
        try {
            Path location = Path.of(DemoBanner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (location.toString().endsWith(".jar")) {
                Path cwd = Path.of("").toAbsolutePath();
                return location.startsWith(cwd) ? cwd.relativize(location).toString() : location.toString();
            }
        } catch (Exception e) {
            // not from a jar (tests): the path the build writes
        }
        return "lb-manager/target/lb-manager.jar";
    }

    public String render(String group, String service, List<AgentStatus> serving) {
        StringBuilder b = new StringBuilder("\n\n").append(HEADER).append('\n');
        line(b, "ZooKeeper", zooKeeper + "   (Curator connect string; teams register under " + discoveryBasePath + ")");
        for (AgentStatus a : serving) {
            line(b, "Nginx", "http://" + a.host() + ":" + a.trafficPort() + "/" + service
                    + "   (nginx task " + a.agentId() + ", upstreams " + a.upstreams() + ")");
        }
        line(b, "Dashboard", apiUrl + "/dashboard/");
        line(b, "API", apiUrl + "/api/v1/services");
        line(b, "Group status", apiUrl + "/api/v1/groups/" + group + "/status");
        line(b, "Admin token", adminToken == null ? "(none configured)" : adminToken);
        b.append("                the dashboard asks for it; curl and ./lbm send it\n");
        if (adminToken != null) {
            line(b, "Try the API", "curl -H 'Authorization: Bearer " + adminToken + "' " + apiUrl + "/api/v1/services");
            line(b, "Try lbm", "LBM_URL=" + apiUrl + " LBM_TOKEN=" + adminToken + " ./lbm services list");
        }
        String basePathFlag = DiscoveryConfig.DEFAULT_BASE_PATH.equals(discoveryBasePath) ? "" : " --base-path " + discoveryBasePath;
        line(b, "Register", "java -jar " + jar + " register --zookeeper " + zooKeeper + basePathFlag + " " + service);
        b.append("                starts one more backend on 127.0.0.1 and registers it as '").append(service)
                .append("' through Curator x-discovery until Ctrl-C;\n")
                .append("                from Java: README.md 'Register your service' with CuratorFrameworkFactory.newClient(\"")
                .append(zooKeeper).append("\", ...)\n");
        if (dynamicUpstreams) {
            line(b, "Upstreams", "dynamic: the Lua balancer takes membership and weight changes without a reload");
        } else {
            b.append("  !!! Upstreams: RELOAD, not dynamic: the Lua balancer cannot run on this host (see the WARN\n")
                    .append("  !!!             'upstreams=reload' above); every membership change reloads Nginx.\n")
                    .append("  !!!             Install libnginx-mod-http-lua lua-resty-core lua-cjson and run ./demo.sh again.\n");
        }
        b.append("  Ctrl-C stops the manager, the Nginx containers and the sample backends.\n").append(FOOTER).append('\n');
        return b.toString();
    }

    private static void line(StringBuilder b, String label, String value) {
        b.append("  ").append(String.format("%-14s", label + ":")).append(value).append('\n');
    }
}
