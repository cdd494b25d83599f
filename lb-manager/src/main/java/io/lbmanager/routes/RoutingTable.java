package io.lbmanager.routes;

import io.lbmanager.contract.RouteLine;
import io.lbmanager.contract.ServiceShards;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The routed services of one group, as the Lua router reads them: service id -> its {@link RouteLine},
 * split into shards by a fixed hash of the id, each sorted by service id, so a change of one service
 * touches one shard. Tables made here have {@value #SHARDS} shards; a table read from ZooKeeper has
 * the shard count its version lists ({@value #LEGACY_SHARDS} in versions published before; still read).
 * Immutable; two tables with the same lines are equal, and two with the same lines and shard count
 * have the same {@link #sha256()}. A table made from an earlier one with some shards replaced
 * ({@link #withShards}) shares the other shards with it: its cost, and that of {@link #deltaTo}
 * between the two, grows with the replaced shards, not with the table.
 */
public final class RoutingTable {

    /**
     * Shards of a table made here. 50 services changed at once land in about 45 of 256 shards (a
     * sixth of the table to encode, fetch and check), in 35 of 64 (a half).
     */
    public static final int SHARDS = 256;
    /** The shard count of tables published before {@link #SHARDS} was 256. */
    public static final int LEGACY_SHARDS = 64;

    private final String group;
    private final RouteShard[] shards;
    private final int size;
    private List<RouteChunk> chunks;
    private SortedMap<String, RouteLine> routes;
    private Set<String> profiles;

    private RoutingTable(String group, RouteShard[] shards) {
        this.group = group;
        this.shards = shards;
        this.size = Arrays.stream(shards).mapToInt(shard -> shard.lines().size()).sum();
    }

    /** @throws IllegalArgumentException when two lines share a service id or a base path (the Lua dict keys on both) */
    public static RoutingTable of(String group, Collection<RouteLine> lines) {
        return of(group, lines, null);
    }

    /**
     * As {@link #of(String, Collection)}; the shards whose lines are those of {@code earlier} (a
     * table of the same group, or null) are taken from it with their chunks, not encoded again: a
     * change of one service gzips one shard, not the whole table.
     */
    public static RoutingTable of(String group, Collection<RouteLine> lines, RoutingTable earlier) {
        List<List<RouteLine>> byShard = new ArrayList<>(SHARDS);
        for (int i = 0; i < SHARDS; i++) {
            byShard.add(new ArrayList<>());
        }
        lines.forEach(line -> byShard.get(shard(line.serviceId())).add(line));
        boolean reusable = earlier != null && earlier.group.equals(group) && earlier.shards.length == SHARDS;
        RouteShard[] shards = new RouteShard[SHARDS];
        for (int i = 0; i < SHARDS; i++) {
            List<RouteLine> shardLines = byShard.get(i);
            shardLines.sort(Comparator.comparing(RouteLine::serviceId));
            shards[i] = reusable && shardLines.equals(earlier.shards[i].lines()) ? earlier.shards[i]
                    : RouteShard.of(group, i, SHARDS, shardLines);
        }
        requireUniqueBasePaths(group, shards, reusable ? earlier.shards : null);
        return new RoutingTable(group, shards);
    }

    /**
     * {@code earlier} with the lines of some shards replaced; every other shard is {@code earlier}'s,
     * the same object. Checks only what the replaced shards can break.
     *
     * @param replaced shard -> its new lines, sorted by service id (empty: the shard has no services now)
     * @throws IllegalArgumentException when a replaced shard's lines are not of it, out of order or
     *                                  repeated, or a base path is held by two services of the table
     */
    public static RoutingTable withShards(RoutingTable earlier, Map<Integer, List<RouteLine>> replaced) {
        RouteShard[] shards = earlier.shards.clone();
        replaced.forEach((index, lines) -> shards[index] = RouteShard.of(earlier.group, index, shards.length, lines));
        requireUniqueBasePaths(earlier.group, shards, earlier.shards);
        return new RoutingTable(earlier.group, shards);
    }

    public static RoutingTable empty(String group) {
        return empty(group, SHARDS);
    }

    /** An empty table of {@code shardCount} shards, for {@link #withShards} of a version read from ZooKeeper. */
    public static RoutingTable empty(String group, int shardCount) {
        if (!isShardCount(shardCount)) {
            throw new IllegalArgumentException("a routing table has " + LEGACY_SHARDS + " or " + SHARDS + " shards, not " + shardCount);
        }
        RouteShard[] shards = new RouteShard[shardCount];
        Arrays.fill(shards, RouteShard.EMPTY);
        return new RoutingTable(group, shards);
    }

    /** The shard counts a stored table may have. */
    public static boolean isShardCount(int count) {
        return count == SHARDS || count == LEGACY_SHARDS;
    }

    public int shardCount() {
        return shards.length;
    }

    /**
     * Each shard's base paths are its own ({@link RouteShard#of}); across shards, only a base path new
     * to its shard since {@code before} (a table whose base paths were unique, or null) can clash, so
     * only those are looked up in the other shards, unless there are so many that one pass over the
     * whole table is cheaper.
     */
    private static void requireUniqueBasePaths(String group, RouteShard[] shards, RouteShard[] before) {
        List<Integer> shardOfNew = new ArrayList<>();
        List<RouteLine> newLines = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < shards.length; i++) {
            total += shards[i].lines().size();
            if (before != null && shards[i] != before[i]) {
                for (RouteLine line : shards[i].lines()) {
                    if (before[i].serviceAt(line.basePath()) == null) {
                        shardOfNew.add(i);
                        newLines.add(line);
                    }
                }
            }
        }
        if (before == null || (long) newLines.size() * shards.length > total) {
            requireUniqueBasePathsInWhole(group, shards);
            return;
        }
        for (int n = 0; n < newLines.size(); n++) {
            RouteLine line = newLines.get(n);
            for (int i = 0; i < shards.length; i++) {
                String other = i == shardOfNew.get(n) ? null : shards[i].serviceAt(line.basePath());
                if (other != null) {
                    throw sharedBasePath(group, other, line.serviceId(), line.basePath());
                }
            }
        }
    }

    private static void requireUniqueBasePathsInWhole(String group, RouteShard[] shards) {
        Map<String, String> serviceByBasePath = new HashMap<>();
        for (RouteShard shard : shards) {
            for (RouteLine line : shard.lines()) {
                String other = serviceByBasePath.putIfAbsent(line.basePath(), line.serviceId());
                if (other != null) {
                    throw sharedBasePath(group, other, line.serviceId(), line.basePath());
                }
            }
        }
    }

    static IllegalArgumentException sharedBasePath(String group, String service, String otherService, String basePath) {
        boolean inOrder = service.compareTo(otherService) < 0;
        return new IllegalArgumentException("routing table of group " + group + ": services " + (inOrder ? service : otherService)
                + " and " + (inOrder ? otherService : service) + " both have base path " + basePath);
    }

    /** The shard of a service in a table made here ({@value #SHARDS} shards). */
    public static int shard(String serviceId) {
        return shard(serviceId, SHARDS);
    }

    /** The shard of a service in a table of {@code shardCount} shards ({@link ServiceShards}). */
    public static int shard(String serviceId, int shardCount) {
        return ServiceShards.of(serviceId, shardCount);
    }

    public String group() {
        return group;
    }

    /** Every route sorted by service id; made on first call (a pass over the table), so callers on a per-version path should not need it. */
    public synchronized SortedMap<String, RouteLine> routes() {
        if (routes == null) {
            SortedMap<String, RouteLine> sorted = new TreeMap<>();
            lines().forEach(line -> sorted.put(line.serviceId(), line));
            routes = Collections.unmodifiableSortedMap(sorted);
        }
        return routes;
    }

    /** The route of {@code serviceId}, found in its shard without {@link #routes()}. */
    public Optional<RouteLine> route(String serviceId) {
        List<RouteLine> lines = shards[shard(serviceId, shards.length)].lines();
        int low = 0;
        int high = lines.size() - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            int order = lines.get(middle).serviceId().compareTo(serviceId);
            if (order == 0) {
                return Optional.of(lines.get(middle));
            }
            if (order < 0) {
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return Optional.empty();
    }

    /** Every route, shard by shard (each sorted by service id). */
    public Stream<RouteLine> lines() {
        return Arrays.stream(shards).flatMap(shard -> shard.lines().stream());
    }

    /** The lines of one shard, sorted by service id. */
    List<RouteLine> shardLines(int shard) {
        return shards[shard].lines();
    }

    /** The profiles the table's lines name. */
    public synchronized Set<String> profiles() {
        if (profiles == null) {
            Set<String> names = new HashSet<>();
            for (RouteShard shard : shards) {
                names.addAll(shard.profiles());
            }
            profiles = Collections.unmodifiableSet(names);
        }
        return profiles;
    }

    public int size() {
        return size;
    }

    /** Per shard, its chunk; null for a shard without services. */
    public synchronized List<RouteChunk> chunks() {
        if (chunks == null) {
            List<RouteChunk> encoded = new ArrayList<>(shards.length);
            for (RouteShard shard : shards) {
                encoded.add(shard.chunk());
            }
            chunks = Collections.unmodifiableList(encoded);
        }
        return chunks;
    }

    /** Per shard, the chunk's sha256 or null: what a routes version lists. */
    public List<String> chunkShas() {
        List<String> shas = new ArrayList<>();
        chunks().forEach(chunk -> shas.add(chunk == null ? null : chunk.sha256()));
        return Collections.unmodifiableList(shas);
    }

    /** Identifies the table: sha256 over its chunk hashes, one per shard. */
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

    /**
     * What turns this table into {@code newer}: lines added or changed (sorted by service id),
     * services removed (sorted). Compares only the shards the two tables do not share.
     */
    public RoutesDelta deltaTo(RoutingTable newer) {
        List<RouteLine> upserts = new ArrayList<>();
        List<String> removals = new ArrayList<>();
        if (shards.length != newer.shards.length) {
            addShardDelta(List.copyOf(routes().values()), List.copyOf(newer.routes().values()), upserts, removals);
            return new RoutesDelta(upserts, removals);
        }
        for (int i = 0; i < shards.length; i++) {
            if (shards[i] != newer.shards[i]) {
                addShardDelta(shards[i].lines(), newer.shards[i].lines(), upserts, removals);
            }
        }
        upserts.sort(Comparator.comparing(RouteLine::serviceId));
        Collections.sort(removals);
        return new RoutesDelta(upserts, removals);
    }

    /** Walks two lists sorted by service id side by side. */
    private static void addShardDelta(List<RouteLine> older, List<RouteLine> newer, List<RouteLine> upserts, List<String> removals) {
        int o = 0;
        int n = 0;
        while (o < older.size() || n < newer.size()) {
            int order = o == older.size() ? 1 : n == newer.size() ? -1
                    : older.get(o).serviceId().compareTo(newer.get(n).serviceId());
            if (order < 0) {
                removals.add(older.get(o++).serviceId());
            } else if (order > 0) {
                upserts.add(newer.get(n++));
            } else {
                if (!older.get(o).equals(newer.get(n))) {
                    upserts.add(newer.get(n));
                }
                o++;
                n++;
            }
        }
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof RoutingTable table) || !table.group.equals(group) || table.size != size) {
            return false;
        }
        if (table.shards.length != shards.length) {
            return routes().equals(table.routes());
        }
        for (int i = 0; i < shards.length; i++) {
            if (shards[i] != table.shards[i] && !shards[i].lines().equals(table.shards[i].lines())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = group.hashCode();
        for (RouteShard shard : shards) {
            for (RouteLine line : shard.lines()) {
                hash += line.hashCode(); // the same for any shard count
            }
        }
        return hash;
    }

    @Override
    public String toString() {
        return "RoutingTable[group=" + group + ", services=" + size + "]";
    }
}
