package io.lbmanager.peers;

import io.lbmanager.catalog.InputRules;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The peers one service's Lua balancer picks from in one group: what the manager writes to
 * {@code groups/{group}/peers/{service}} and the agent pushes into Nginx's {@code lbm_peers} dict.
 */
public record PeerList(String service, List<Upstream> peers) {

    public PeerList {
        peers = List.copyOf(java.util.Objects.requireNonNull(peers, "peers"));
    }

    public byte[] encode() {
        return Json.write(this);
    }

    /**
     * Reads a node the manager wrote, checking everything that reaches Nginx: the service id must
     * be the node's name and every peer an IPv4 literal with a port and a weight in range.
     */
    public static PeerList parse(String path, byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new CorruptNodeException(path, "empty node");
        }
        PeerList read = Json.read(path, bytes, PeerList.class);
        String nodeName = path.substring(path.lastIndexOf('/') + 1);
        if (read.service() == null || !read.service().equals(nodeName) || !InputRules.NAME.matcher(nodeName).matches()) {
            throw new CorruptNodeException(path, "field service: '" + read.service() + "' is not the node's name " + nodeName);
        }
        for (int i = 0; i < read.peers().size(); i++) {
            Upstream peer = read.peers().get(i);
            if (peer == null || peer.host() == null || !UpstreamMode.isBalancerPeer(peer)) {
                throw new CorruptNodeException(path, "field peers[" + i + "]: " + peer
                        + " is not an IPv4 literal with a port in 1..65535 and a weight in 1.." + Upstream.MAX_WEIGHT);
            }
        }
        return read;
    }

    /** The value of the service's entry in {@code lbm_peers}: {@code host:port:weight} separated by spaces. */
    public String dictValue() {
        return peers.stream().map(p -> p.host() + ":" + p.port() + ":" + p.weight()).collect(Collectors.joining(" "));
    }
}
