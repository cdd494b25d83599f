package io.lbmanager.peers;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lbmanager.catalog.InputRules;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;
import io.lbmanager.zones.ServiceZones;
import io.lbmanager.zones.ZoneName;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The peers one service's Lua balancer picks from in one group: what the manager writes to
 * {@code groups/{group}/peers/{service}} and the agent pushes into Nginx's {@code lbm_peers} dict.
 * {@code zones} holds the zone of each peer in a known zone, by {@code host:port}; with none, the
 * node reads exactly as before zones existed.
 *
 * @param zonePanicPercent null without zones: see {@link io.lbmanager.zones.ServiceZones#panicPercent}
 */
public record PeerList(String service, List<Upstream> peers, @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> zones,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Integer zonePanicPercent) {

    public PeerList {
        peers = List.copyOf(java.util.Objects.requireNonNull(peers, "peers"));
        zones = zones == null ? Map.of() : Map.copyOf(zones);
        if (zones.isEmpty()) {
            zonePanicPercent = null;
        }
    }

    public PeerList(String service, List<Upstream> peers) {
        this(service, peers, Map.of(), null);
    }

    public byte[] encode() {
        return Json.write(this);
    }

    /**
     * Reads a node the manager wrote (one list per node, the layout before peer buckets), checking
     * everything that reaches Nginx: the service id must be the node's name, and see {@link #check}.
     */
    public static PeerList parse(String path, byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new CorruptNodeException(path, "empty node");
        }
        PeerList read = Json.read(path, bytes, PeerList.class);
        String nodeName = path.substring(path.lastIndexOf('/') + 1);
        if (read.service() == null || !read.service().equals(nodeName)) {
            throw new CorruptNodeException(path, "field service: '" + read.service() + "' is not the node's name " + nodeName);
        }
        return check(path, "", read);
    }

    /**
     * Checks everything of a list read from {@code path} that reaches Nginx: a valid service id, every
     * peer an IPv4 literal with a port and a weight in range, valid zone names and panic percent.
     *
     * @param field where the list is in the node ("" for a whole node), prefixed to the names of bad fields
     */
    static PeerList check(String path, String field, PeerList read) {
        if (read == null) {
            throw new CorruptNodeException(path, "field " + field + ": not a peer list");
        }
        if (read.service() == null || !InputRules.NAME.matcher(read.service()).matches()) {
            throw new CorruptNodeException(path, "field " + field + "service: '" + read.service() + "' is not a service id ("
                    + InputRules.NAME.pattern() + ")");
        }
        for (int i = 0; i < read.peers().size(); i++) {
            Upstream peer = read.peers().get(i);
            if (peer == null || peer.host() == null || !UpstreamMode.isBalancerPeer(peer)) {
                throw new CorruptNodeException(path, "field " + field + "peers[" + i + "]: " + peer
                        + " is not an IPv4 literal with a port in 1..65535 and a weight in 1.." + Upstream.MAX_WEIGHT);
            }
        }
        for (Map.Entry<String, String> zone : read.zones().entrySet()) {
            if (!ZoneName.valid(zone.getValue())) {
                throw new CorruptNodeException(path, "field " + field + "zones." + zone.getKey() + ": '" + zone.getValue()
                        + "' is not a zone name (" + ZoneName.RULE + ")");
            }
        }
        if (read.zonePanicPercent() != null && (read.zonePanicPercent() < 0 || read.zonePanicPercent() > 100)) {
            throw new CorruptNodeException(path, "field " + field + "zonePanicPercent: " + read.zonePanicPercent() + " is not in 0..100");
        }
        return read;
    }

    /**
     * The value of the service's entry in {@code lbm_peers}: {@code host:port:weight} separated by spaces;
     * with zones, {@code host:port:weight:zone} for a peer in a known zone and a last token {@code panic=N}.
     */
    public String dictValue() {
        String value = peers.stream().map(p -> {
            String zone = zones.get(p.host() + ":" + p.port());
            return p.host() + ":" + p.port() + ":" + p.weight() + (zone == null ? "" : ":" + zone);
        }).collect(Collectors.joining(" "));
        if (zones.isEmpty() || value.isEmpty()) {
            return value;
        }
        return value + " panic=" + (zonePanicPercent == null ? ServiceZones.DEFAULT_PANIC_PERCENT : zonePanicPercent);
    }
}
