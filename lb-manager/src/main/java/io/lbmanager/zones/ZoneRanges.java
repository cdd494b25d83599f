package io.lbmanager.zones;

import io.lbmanager.config.ZonesConfig;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The operator's address range -> zone map, checked in order: the first range holding an address names its zone. */
public final class ZoneRanges {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private record Range(byte[] network, int prefix, String zone) {

        boolean holds(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int bits = address.length * 8;
            BigInteger mask = prefix == 0 ? BigInteger.ZERO
                    : BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftRight(bits - prefix).shiftLeft(bits - prefix);
            return new BigInteger(1, address).and(mask).equals(new BigInteger(1, network).and(mask));
        }
    }

    public static final ZoneRanges NONE = new ZoneRanges(List.of());

    private final List<Range> ranges;

    private ZoneRanges(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /** @throws IllegalArgumentException naming the range ({@code zones.ranges[i]}) that is not a CIDR with a valid zone */
    public static ZoneRanges from(ZonesConfig config) {
        List<Range> ranges = new ArrayList<>();
        for (int i = 0; i < config.ranges.size(); i++) {
            ZonesConfig.Range range = config.ranges.get(i);
            String field = "zones.ranges[" + i + "]";
            if (range == null || range.cidr == null) {
                throw new IllegalArgumentException(field + ".cidr is missing");
            }
            if (!ZoneName.valid(range.zone)) {
                throw new IllegalArgumentException(field + ".zone " + (range.zone == null ? "is missing" : ZoneName.quoted(range.zone)
                        + " is not " + ZoneName.RULE));
            }
            ranges.add(parse(field + ".cidr", range.cidr.strip(), range.zone));
        }
        return new ZoneRanges(ranges);
    }

    private static Range parse(String field, String cidr, String zone) {
        int slash = cidr.indexOf('/');
        String host = slash < 0 ? cidr : cidr.substring(0, slash);
        Optional<byte[]> network = literal(host);
        if (network.isEmpty()) {
            throw new IllegalArgumentException(field + " " + ZoneName.quoted(cidr) + " is not an IPv4 or IPv6 CIDR such as 10.1.0.0/16");
        }
        int bits = network.get().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException(field + " " + ZoneName.quoted(cidr) + ": the prefix length must be 0.." + bits);
            }
        }
        return new Range(network.get(), prefix, zone);
    }

    /** The zone of the first range holding {@code host}; empty for a host name or an address in no range. */
    public Optional<String> zoneOf(String host) {
        if (ranges.isEmpty()) {
            return Optional.empty();
        }
        Optional<byte[]> address = literal(host);
        if (address.isEmpty()) {
            return Optional.empty();
        }
        return ranges.stream().filter(range -> range.holds(address.get())).map(Range::zone).findFirst();
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** The address of an IP literal, never resolving a name. */
    private static Optional<byte[]> literal(String host) {
        if (host == null) {
            return Optional.empty();
        }
        if (IPV4.matcher(host).matches()) {
            String[] octets = host.split("\\.");
            byte[] address = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(octets[i]);
                if (octet > 255) {
                    return Optional.empty();
                }
                address[i] = (byte) octet;
            }
            return Optional.of(address);
        }
        if (!IPV6.matcher(host).matches()) {
            return Optional.empty();
        }
        try { // a literal with ':' is parsed, never looked up
            return Optional.of(InetAddress.getByName(host).getAddress());
        } catch (UnknownHostException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
