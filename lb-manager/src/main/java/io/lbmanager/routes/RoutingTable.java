package io.lbmanager.routes;

import io.lbmanager.contract.RouteLine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The routed services of one group, as the Lua router reads them: service id -> its {@link RouteLine},
 * sorted by service id and split into {@value #SHARDS} shards by a fixed hash of the id, so a
 * change of one service touches one shard. Immutable; two tables with the same lines are equal and
 * have the same {@link #sha256()}.
 */
public final class RoutingTable {

    public static final int SHARDS = 64;

    private final String group;
    private final SortedMap<String, RouteLine> routes;
    /** A table of the same group whose chunks this one reuses where a shard's lines are the same; dropped once chunks are made. */
    private RoutingTable earlier;
    private List<List<RouteLine>> shardLists;
    private List<RouteChunk> chunks;

    private RoutingTable(String group, SortedMap<String, RouteLine> routes) {
        this.group = group;
        this.routes = Collections.unmodifiableSortedMap(routes);
    }

    /** @throws IllegalArgumentException when two lines share a service id or a base path (the Lua dict keys on both) */
    public static RoutingTable of(String group, Collection<RouteLine> lines) {
        return of(group, lines, null);
    }

    /**
     * As {@link #of(String, Collection)}; the chunks of shards whose lines are those of {@code earlier}
     * (a table of the same group, or null) are taken from it, not encoded again: a change of one
     * service gzips one shard, not the whole table.
     */
    public static RoutingTable of(String group, Collection<RouteLine> lines, RoutingTable earlier) {
        RoutingTable table = build(group, lines);
        table.earlier = earlier != null && earlier.group.equals(group) ? earlier : null;
        return table;
    }

    private static RoutingTable build(String group, Collection<RouteLine> lines) {
        SortedMap<String, RouteLine> routes = new TreeMap<>();
        Map<String, String> byBasePath = new HashMap<>();
        for (RouteLine line : lines) {
            if (routes.putIfAbsent(line.serviceId(), line) != null) {
                throw new IllegalArgumentException("routing table of group " + group + " has service " + line.serviceId() + " twice");
            }
            String other = byBasePath.putIfAbsent(line.basePath(), line.serviceId());
            if (other != null) {
                throw new IllegalArgumentException("routing table of group " + group + ": services " + other + " and "
                        + line.serviceId() + " both have base path " + line.basePath());
            }
        }
        return new RoutingTable(group, routes);
    }

    public static RoutingTable empty(String group) {
        return new RoutingTable(group, new TreeMap<>());
    }

    /** The shard of a service: CRC-32 of its id (UTF-8) mod {@value #SHARDS}; fixed, since stored chunks depend on it. */
    public static int shard(String serviceId) {
        CRC32 crc = new CRC32();
        crc.update(serviceId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % SHARDS);
    }

    public String group() {
        return group;
    }

    public SortedMap<String, RouteLine> routes() {
        return routes;
    }

    public int size() {
        return routes.size();
    }

    private synchronized List<List<RouteLine>> shardLists() {
        if (shardLists == null) {
            List<List<RouteLine>> shards = new ArrayList<>();
            for (int i = 0; i < SHARDS; i++) {
                shards.add(new ArrayList<>());
            }
            routes.values().forEach(line -> shards.get(shard(line.serviceId())).add(line));
            shards.replaceAll(Collections::unmodifiableList);
            shardLists = Collections.unmodifiableList(shards);
        }
        return shardLists;
    }

    /** Per shard, its chunk; null for a shard without services. */
    public synchronized List<RouteChunk> chunks() {
        if (chunks == null) {
            List<List<RouteLine>> shards = shardLists();
            List<List<RouteLine>> earlierShards = earlier == null ? null : earlier.shardLists();
            List<RouteChunk> earlierChunks = earlier == null ? null : earlier.chunks();
            List<RouteChunk> encoded = new ArrayList<>();
            for (int i = 0; i < SHARDS; i++) {
                List<RouteLine> lines = shards.get(i);
                if (lines.isEmpty()) {
                    encoded.add(null);
                } else if (earlierShards != null && lines.equals(earlierShards.get(i))) {
                    encoded.add(earlierChunks.get(i));
                } else {
                    encoded.add(RouteChunk.encode(lines));
                }
            }
            chunks = Collections.unmodifiableList(encoded);
            earlier = null;
        }
        return chunks;
    }

    /** Per shard, the chunk's sha256 or null: what a routes version lists. */
    public List<String> chunkShas() {
        List<String> shas = new ArrayList<>();
        chunks().forEach(chunk -> shas.add(chunk == null ? null : chunk.sha256()));
        return Collections.unmodifiableList(shas);
    }

    /** Identifies the table: sha256 over its {@value #SHARDS} chunk hashes. */
    public String sha256() {
        return sha256Of(chunkShas());
    }

    static String sha256Of(List<String> chunkShas) {
        StringBuilder text = new StringBuilder();
        chunkShas.forEach(sha -> text.append(sha == null ? "-" : sha).append('\n'));
        return sha256(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What turns this table into {@code newer}: lines added or changed, services removed. */
    public RoutesDelta deltaTo(RoutingTable newer) {
        List<RouteLine> upserts = new ArrayList<>();
        List<String> removals = new ArrayList<>();
        newer.routes.forEach((service, line) -> {
            if (!line.equals(routes.get(service))) {
                upserts.add(line);
            }
        });
        routes.keySet().stream().filter(service -> !newer.routes.containsKey(service)).forEach(removals::add);
        return new RoutesDelta(upserts, removals);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RoutingTable table && table.group.equals(group) && table.routes.equals(routes);
    }

    @Override
    public int hashCode() {
        return group.hashCode() * 31 + routes.hashCode();
    }

    @Override
    public String toString() {
        return "RoutingTable[group=" + group + ", services=" + routes.size() + "]";
    }
}
