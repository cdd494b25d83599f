package io.lbmanager.discovery;

import java.util.regex.Pattern;

/** Syntax checks for what registrants write into discovery nodes. */
final class DiscoveryNames {

    private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    private DiscoveryNames() {
    }

    static boolean isValidHost(String host) {
        if (IPV4.matcher(host).matches()) {
            return true;
        }
        if (host.contains(":")) {
            return IPV6.matcher(host).matches();
        }
        if (host.length() > 253) {
            return false;
        }
        for (String label : host.split("\\.", -1)) {
            if (!DNS_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return !host.chars().allMatch(c -> Character.isDigit(c) || c == '.');
    }
}
