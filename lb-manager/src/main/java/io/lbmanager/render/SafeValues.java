package io.lbmanager.render;

import java.util.regex.Pattern;

/**
 * The shapes a value must have before the renderer lets it into an Nginx file. The REST door
 * validates first; this is the second check, so nothing a team supplies reaches Nginx unchecked.
 */
final class SafeValues {

    static final Pattern SERVICE_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    static final Pattern GROUP = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final Pattern PATH_SEGMENT = Pattern.compile("[A-Za-z0-9._~-]+");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern ABSOLUTE_PATH = Pattern.compile("(/[A-Za-z0-9._-]+)+/?");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private SafeValues() {
    }

    static boolean isServiceId(String id) {
        return id != null && SERVICE_ID.matcher(id).matches();
    }

    static boolean isGroup(String group) {
        return group != null && GROUP.matcher(group).matches();
    }

    /** "/" or "/seg/seg" with optional trailing slash; no empty, "." or ".." segments. */
    static boolean isBasePath(String path) {
        if (path == null || !path.startsWith("/") || path.length() > 512) {
            return false;
        }
        String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        if (trimmed.isEmpty()) {
            return true;
        }
        String[] segments = trimmed.substring(1).split("/", -1);
        for (String segment : segments) {
            if (!PATH_SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** An IPv4 or IPv6 literal or a DNS host name. */
    static boolean isHost(String host) {
        if (host == null || host.isEmpty() || host.length() > 253) {
            return false;
        }
        if (host.contains(":")) {
            return IPV6.matcher(host).matches();
        }
        if (IPV4.matcher(host).matches()) {
            return isIpv4(host);
        }
        for (String label : host.split("\\.", -1)) {
            if (!HOST_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    static boolean isIpv4(String host) {
        var ipv4 = host == null ? null : IPV4.matcher(host);
        if (ipv4 == null || !ipv4.matches()) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(ipv4.group(i)) > 255) {
                return false;
            }
        }
        return true;
    }

    /** An absolute path of plain segments, safe to render unquoted into a directive. */
    static boolean isAbsolutePath(String path) {
        return path != null && ABSOLUTE_PATH.matcher(path).matches() && !path.contains("/../") && !path.endsWith("/..");
    }

    static boolean isPort(int port) {
        return port >= 1 && port <= 65535;
    }

    static boolean isSha256(String sha256) {
        return sha256 != null && SHA256.matcher(sha256).matches();
    }
}
