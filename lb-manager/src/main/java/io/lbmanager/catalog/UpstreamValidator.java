package io.lbmanager.catalog;

import io.lbmanager.errors.InvalidInputException;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Checks upstream hosts and ports: IPv4 literal, IPv6 literal or RFC 1123 DNS name; port 1..65535. */
public final class UpstreamValidator {

    public static final int MAX_HOST_LENGTH = 253;
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");

    private UpstreamValidator() {
    }

    public static Upstream upstream(String hostField, String host, String portField, Integer port) {
        return new Upstream(host(hostField, host), port(portField, port));
    }

    /** Parses {@code host:port}, {@code 10.0.0.1:80} or {@code [2001:db8::1]:80}. */
    public static Upstream parse(String field, String hostPort) {
        InputRules.requirePresent(field, hostPort);
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new InvalidInputException(field, "must be host:port or [ipv6]:port");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
            if (!host.contains(":")) {
                throw new InvalidInputException(field, "only IPv6 literals go in brackets");
            }
        } else if (host.contains(":")) {
            throw new InvalidInputException(field, "an IPv6 host must be written in brackets: [ipv6]:port");
        }
        String portText = hostPort.substring(colon + 1);
        if (!portText.matches("[0-9]{1,5}")) {
            throw new InvalidInputException(field, "port must be a number in 1..65535");
        }
        return upstream(field, host, field, Integer.valueOf(portText));
    }

    /** Returns the host in canonical form (DNS names and IPv6 lower-cased). */
    public static String host(String field, String host) {
        InputRules.requirePresent(field, host);
        if (host.isEmpty() || host.length() > MAX_HOST_LENGTH) {
            throw new InvalidInputException(field, "must be 1.." + MAX_HOST_LENGTH + " characters");
        }
        if (host.contains(":")) {
            return ipv6(field, host);
        }
        if (DIGITS_AND_DOTS.matcher(host).matches()) {
            if (!IPV4.matcher(host).matches()) {
                throw new InvalidInputException(field, "is not a valid IPv4 address (four numbers 0..255, no leading zeros)");
            }
            return host;
        }
        for (String label : host.split("\\.", -1)) {
            if (!DNS_LABEL.matcher(label).matches()) {
                throw new InvalidInputException(field,
                        "must be an IPv4 address, an IPv6 address or a DNS name (labels of 1..63 letters, digits and -, not starting or ending with -)");
            }
        }
        return host.toLowerCase(Locale.ROOT);
    }

    public static int port(String field, Integer port) {
        InputRules.requirePresent(field, port);
        if (port < 1 || port > 65_535) {
            throw new InvalidInputException(field, "must be in 1..65535, got " + port);
        }
        return port;
    }

    private static String ipv6(String field, String host) {
        // The charset check comes first so InetAddress only ever sees a literal and never does a DNS lookup.
        if (!IPV6_CHARS.matcher(host).matches()) {
            throw new InvalidInputException(field, "is not a valid IPv6 address");
        }
        try {
            InetAddress address = InetAddress.getByName(host);
            if (!(address instanceof Inet6Address) && !host.toLowerCase(Locale.ROOT).startsWith("::ffff:")) {
                throw new InvalidInputException(field, "is not a valid IPv6 address");
            }
        } catch (UnknownHostException e) {
            throw new InvalidInputException(field, "is not a valid IPv6 address");
        }
        return host.toLowerCase(Locale.ROOT);
    }
}
