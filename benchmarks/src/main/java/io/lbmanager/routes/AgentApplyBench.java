package io.lbmanager.routes;

import io.lbmanager.bench.Catalogs;
import io.lbmanager.bench.Stats;
import io.lbmanager.contract.RouteLine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The agent's work per routes version, in process, for a version that adds or removes one service
 * (so one shard's chunk is new): decode that chunk, make the table, check its profiles against the
 * running config, compute the delta from the table Nginx holds and its push body. "new" is
 * {@link RoutesReader}/{@link RoutesSync} now ({@link RoutingTable#withShards}, per-shard profiles,
 * {@link RoutingTable#deltaTo} over the shards that differ; the disk copy is written off the push
 * thread). The baseline, in the same JVM and run, is what they did before: every line into a
 * sorted map and a base-path map, every line's profile looked up, both tables compared service by
 * service, and the whole table formatted for the disk copy (its write to disk is not counted). No
 * ZooKeeper, no Nginx: both paths get the same chunk bytes.
 *
 * <pre>java -Xmx1g -cp benchmarks/target/benchmarks.jar io.lbmanager.routes.AgentApplyBench 1000,10000,50000 200</pre>
 */
public final class AgentApplyBench {

    private static final Set<String> CONFIG_PROFILES = Set.of("p00000000a1", "p00000000b2", "p00000000c3");

    private AgentApplyBench() {
    }

    public static void main(String[] args) {
        List<Integer> sizes = Arrays.stream(args[0].split(",")).map(Integer::parseInt).toList();
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        System.out.println("| agent, per routes version (one service added or removed), in process | size | median | p99 "
                + "| baseline (same run): whole rebuild + full delta + whole-table text | ratio (median, p99) |");
        System.out.println("|---|---|---|---|---|---|");
        for (int size : sizes) {
            Versions versions = new Versions(size);
            Stats whole = wholeTablePath(versions, runs);
            Stats shards = changedShardsPath(versions, runs);
            System.out.printf("| decode the changed chunk, table, profile check, delta and its push body | %,d services | %s ms "
                            + "| %s ms (n=%d) | %s / %s ms | %sx, %sx |%n", size, Stats.num(shards.median()), Stats.num(shards.p99()),
                    shards.n(), Stats.num(whole.median()), Stats.num(whole.p99()), Stats.num(whole.median() / shards.median()),
                    Stats.num(whole.p99() / shards.p99()));
        }
    }

    private static RouteLine line(int i) {
        String id = Catalogs.serviceId(i);
        return new RouteLine(id, "/" + id, i % 3 == 0 ? "p00000000a1" : i % 3 == 1 ? "p00000000b2" : "p00000000c3", 1_000, 60_000,
                60_000, 3, 10, i % 2 == 0);
    }

    /** Two versions a follower alternates between: {@code size} services, and the same plus one; the chunk of the shard they differ in. */
    private static final class Versions {
        final int changedShard;
        final List<List<RouteLine>> shardsOfA;
        final List<List<RouteLine>> shardsOfB;
        final byte[] chunkOfA;
        final byte[] chunkOfB;
        final String shaOfA;
        final String shaOfB;
        final RoutingTable tableA;

        Versions(int size) {
            List<RouteLine> a = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                a.add(line(i));
            }
            tableA = RoutingTable.of(Catalogs.GROUP, a);
            int added = size;
            while (tableA.shardLines(RoutingTable.shard(line(added).serviceId())).isEmpty()) {
                added++; // a shard with services, so both versions have its chunk (small sizes leave shards empty)
            }
            List<RouteLine> b = new ArrayList<>(a);
            b.add(line(added));
            RoutingTable tableB = RoutingTable.of(Catalogs.GROUP, b);
            changedShard = RoutingTable.shard(line(added).serviceId());
            shardsOfA = shardLists(tableA);
            shardsOfB = shardLists(tableB);
            RouteChunk chunkA = tableA.chunks().get(changedShard);
            RouteChunk chunkB = tableB.chunks().get(changedShard);
            chunkOfA = chunkA.gzip();
            chunkOfB = chunkB.gzip();
            shaOfA = chunkA.sha256();
            shaOfB = chunkB.sha256();
        }

        private static List<List<RouteLine>> shardLists(RoutingTable table) {
            List<List<RouteLine>> lists = new ArrayList<>();
            for (int shard = 0; shard < RoutingTable.SHARDS; shard++) {
                lists.add(table.shardLines(shard));
            }
            return lists;
        }

        List<RouteLine> decode(boolean toB) {
            return RouteChunk.decode("/bench", toB ? chunkOfB : chunkOfA, toB ? shaOfB : shaOfA, changedShard, RoutingTable.SHARDS);
        }
    }

    /** As the agent works now: ms per version over 2 x runs versions, the first half discarded as warm-up. */
    private static Stats changedShardsPath(Versions versions, int runs) {
        RoutingTable held = versions.tableA;
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < 2 * runs; i++) {
            boolean toB = i % 2 == 0;
            long start = System.nanoTime();
            List<RouteLine> decoded = versions.decode(toB);
            RoutingTable next = RoutingTable.withShards(held, Map.of(versions.changedShard, decoded));
            Set<String> lacking = new TreeSet<>(next.profiles());
            lacking.removeAll(CONFIG_PROFILES);
            RoutesDelta delta = held.deltaTo(next);
            String body = RoutesPush.delta(i, i + 1, delta);
            long took = System.nanoTime() - start;
            requireOneServiceChanged(delta.size(), lacking, body);
            held = next;
            if (i >= runs) {
                millis.add(took / 1e6);
            }
        }
        return Stats.of(millis);
    }

    /** As the agent worked before: the same versions, the same decode; then the whole table at every step. */
    private static Stats wholeTablePath(Versions versions, int runs) {
        WholeTable held = WholeTable.of(Catalogs.GROUP, concat(versions.shardsOfA, versions.changedShard, versions.shardsOfA.get(versions.changedShard)));
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < 2 * runs; i++) {
            boolean toB = i % 2 == 0;
            long start = System.nanoTime();
            List<RouteLine> decoded = versions.decode(toB);
            WholeTable next = WholeTable.of(Catalogs.GROUP, concat(toB ? versions.shardsOfB : versions.shardsOfA, versions.changedShard, decoded));
            Set<String> lacking = new TreeSet<>();
            next.routes.values().forEach(line -> {
                if (!CONFIG_PROFILES.contains(line.profile())) {
                    lacking.add(line.profile());
                }
            });
            RoutesDelta delta = held.deltaTo(next);
            String body = RoutesPush.delta(i, i + 1, delta);
            String diskCopy = next.wholeTableText(i + 1);
            long took = System.nanoTime() - start;
            requireOneServiceChanged(delta.size(), lacking, body + diskCopy.length());
            held = next;
            if (i >= runs) {
                millis.add(took / 1e6);
            }
        }
        return Stats.of(millis);
    }

    private static void requireOneServiceChanged(int deltaSize, Set<String> lacking, String body) {
        if (deltaSize != 1 || !lacking.isEmpty() || body.isEmpty()) {
            throw new IllegalStateException("expected a one-service delta and no lacking profile, got " + deltaSize + " " + lacking);
        }
    }

    /** What the reader did: the cached lines of every shard, the fetched shard's replaced, in one list. */
    private static List<RouteLine> concat(List<List<RouteLine>> shards, int replacedShard, List<RouteLine> replacedLines) {
        List<RouteLine> all = new ArrayList<>();
        for (int shard = 0; shard < shards.size(); shard++) {
            all.addAll(shard == replacedShard ? replacedLines : shards.get(shard));
        }
        return all;
    }

    /** The routing table as it was before it kept its shards: a sorted map built from every line, checked with a base-path map. */
    private record WholeTable(SortedMap<String, RouteLine> routes) {

        static WholeTable of(String group, List<RouteLine> lines) {
            SortedMap<String, RouteLine> routes = new TreeMap<>();
            Map<String, String> byBasePath = new HashMap<>();
            for (RouteLine line : lines) {
                if (routes.putIfAbsent(line.serviceId(), line) != null) {
                    throw new IllegalArgumentException("routing table of group " + group + " has service " + line.serviceId() + " twice");
                }
                String other = byBasePath.putIfAbsent(line.basePath(), line.serviceId());
                if (other != null) {
                    throw new IllegalArgumentException("services " + other + " and " + line.serviceId() + " both have base path "
                            + line.basePath());
                }
            }
            return new WholeTable(routes);
        }

        RoutesDelta deltaTo(WholeTable newer) {
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

        String wholeTableText(long version) {
            StringBuilder body = new StringBuilder("table ").append(version).append('\n');
            routes.values().forEach(line -> body.append(line.format()).append('\n'));
            return body.toString();
        }
    }
}
