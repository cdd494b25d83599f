package io.lbmanager.catalog;

/**
 * One backend instance Nginx proxies to: an IP literal or host name, a port, and a relative weight
 * (1 unless discovery says otherwise). A weight of 0 is how an absent weight reads back: it means 1.
 */
public record Upstream(String host, int port, int weight) implements Comparable<Upstream> {

    public static final int MAX_WEIGHT = 100;

    public Upstream {
        if (weight == 0) {
            weight = 1;
        }
        if (weight < 0 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight must be in 1.." + MAX_WEIGHT + ", was " + weight);
        }
    }

    public Upstream(String host, int port) {
        this(host, port, 1);
    }

    /** The form Nginx's {@code server} directive takes: {@code host:port}, IPv6 in brackets. */
    public String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public int compareTo(Upstream other) {
        int byHost = host.compareTo(other.host);
        if (byHost != 0) {
            return byHost;
        }
        int byPort = Integer.compare(port, other.port);
        return byPort != 0 ? byPort : Integer.compare(weight, other.weight);
    }
}
