package io.lbmanager.catalog;

/** One backend instance Nginx proxies to: an IP literal or host name, and a port. */
public record Upstream(String host, int port) implements Comparable<Upstream> {

    /** The form Nginx's {@code server} directive takes: {@code host:port}, IPv6 in brackets. */
    public String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public int compareTo(Upstream other) {
        int byHost = host.compareTo(other.host);
        return byHost != 0 ? byHost : Integer.compare(port, other.port);
    }
}
