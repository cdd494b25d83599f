package io.lbmanager.validate;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The host names a bundle's upstreams name ({@code server} lines of {@code upstream} blocks, and
 * {@code *_pass} URLs that do not name an upstream), resolved by the manager: the jailed
 * {@code nginx -t} has no network, so it resolves them from an {@code /etc/hosts} written from
 * these answers. A name the manager cannot resolve is left out, and Nginx says "host not found"
 * as it would have. At most {@link #MAX_NAMES} names per check.
 */
final class UpstreamHostNames {

    static final int MAX_NAMES = 256;
    private static final Pattern HOST_NAME = Pattern.compile("(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern IPV4 = Pattern.compile("[0-9.]+");

    private UpstreamHostNames() {
    }

    static Map<String, List<String>> resolved(Map<String, String> files) {
        Set<String> upstreams = new HashSet<>();
        Set<String> names = new TreeSet<>();
        List<String> passTargets = new ArrayList<>();
        for (String text : files.values()) {
            List<NginxConfParser.Directive> directives;
            try {
                directives = NginxConfParser.parse(text);
            } catch (NginxConfParser.SyntaxException e) {
                continue;
            }
            for (NginxConfParser.Directive directive : directives) {
                if (directive.name().equals("upstream") && !directive.args().isEmpty()) {
                    upstreams.add(directive.args().get(0));
                } else if (directive.name().equals("server") && !directive.enclosing().isEmpty()
                        && directive.enclosing().get(directive.enclosing().size() - 1).equals("upstream") && !directive.args().isEmpty()) {
                    addHost(names, directive.args().get(0));
                } else if (directive.name().endsWith("_pass") && !directive.args().isEmpty()) {
                    passTargets.add(directive.args().get(0));
                }
            }
        }
        for (String target : passTargets) {
            int scheme = target.indexOf("://");
            String authority = scheme < 0 ? target : target.substring(scheme + 3);
            int slash = authority.indexOf('/');
            String hostPort = slash < 0 ? authority : authority.substring(0, slash);
            if (!upstreams.contains(hostPort)) {
                addHost(names, hostPort);
            }
        }
        Map<String, List<String>> resolved = new LinkedHashMap<>();
        for (String name : names) {
            if (resolved.size() >= MAX_NAMES) {
                break;
            }
            try {
                List<String> addresses = new ArrayList<>();
                for (InetAddress address : InetAddress.getAllByName(name)) {
                    addresses.add(address.getHostAddress());
                }
                resolved.put(name, addresses);
            } catch (UnknownHostException | SecurityException e) {
                // not resolvable: nginx -t says so
            }
        }
        return resolved;
    }

    private static void addHost(Set<String> names, String hostPort) {
        if (hostPort.startsWith("unix:") || hostPort.startsWith("[") || hostPort.contains("$")) {
            return;
        }
        int colon = hostPort.indexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        if (!IPV4.matcher(host).matches() && HOST_NAME.matcher(host).matches() && !host.equals("localhost")) {
            names.add(host.toLowerCase(java.util.Locale.ROOT));
        }
    }
}
