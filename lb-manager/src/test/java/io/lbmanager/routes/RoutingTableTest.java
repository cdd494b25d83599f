package io.lbmanager.routes;

import io.lbmanager.contract.RouteLine;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A table built over an earlier one (from all lines, or with some shards replaced) reuses the shards
 * that did not change and is the same table as one built alone from all its lines.
 */
class RoutingTableTest {

    @Test
    void aTableBuiltOverAnEarlierOneReEncodesOnlyTheChangedShard() {
        RoutingTable earlier = RoutesPublisherTest.table(2_000);
        List<RouteChunk> earlierChunks = earlier.chunks();
        List<RouteLine> lines = new ArrayList<>(earlier.routes().values());
        RouteLine changed = lines.get(7);
        lines.set(7, new RouteLine(changed.serviceId(), changed.basePath(), changed.profile(), 2_000, 60_000, 60_000, 3, 10, false));

        RoutingTable next = RoutingTable.of("edge", lines, earlier);
        RoutingTable alone = RoutingTable.of("edge", lines);

        int changedShard = RoutingTable.shard(changed.serviceId());
        assertThat(next.sha256()).isEqualTo(alone.sha256()).isNotEqualTo(earlier.sha256());
        assertThat(next.chunkShas()).isEqualTo(alone.chunkShas());
        IntStream.range(0, RoutingTable.SHARDS).forEach(shard -> {
            if (shard == changedShard) {
                assertThat(next.chunks().get(shard)).isNotSameAs(earlierChunks.get(shard));
            } else {
                assertThat(next.chunks().get(shard)).as("shard " + shard).isSameAs(earlierChunks.get(shard));
            }
        });
    }

    @Test
    void anEarlierTableOfAnotherGroupIsNotReused() {
        RoutingTable other = RoutingTable.of("other", RoutesPublisherTest.table(100).routes().values());
        RoutingTable table = RoutingTable.of("edge", RoutesPublisherTest.table(100).routes().values(), other);

        assertThat(table.sha256()).isEqualTo(RoutesPublisherTest.table(100).sha256());
        assertThat(table.chunks().stream().filter(java.util.Objects::nonNull))
                .noneMatch(chunk -> other.chunks().stream().anyMatch(o -> o == chunk));
    }

    @Test
    void aTableWithReplacedShardsIsTheTableBuiltFromAllItsLines() {
        RoutingTable earlier = RoutesPublisherTest.table(2_000);
        List<RouteLine> lines = new ArrayList<>(earlier.routes().values());
        RouteLine changed = lines.get(7);
        lines.set(7, new RouteLine(changed.serviceId(), "/changed", changed.profile(), 2_000, 60_000, 60_000, 3, 10, false));
        RouteLine removed = lines.remove(500);
        RouteLine added = RoutesPublisherTest.line(9_999);
        lines.add(added);
        Set<Integer> changedShards = Set.of(shardOf(changed), shardOf(removed), shardOf(added));

        RoutingTable next = RoutingTable.withShards(earlier, shardsOf(lines, changedShards));
        RoutingTable alone = RoutingTable.of("edge", lines);

        assertThat(next).isEqualTo(alone).hasSameHashCodeAs(alone);
        assertThat(next.sha256()).isEqualTo(alone.sha256()).isNotEqualTo(earlier.sha256());
        assertThat(next.chunkShas()).isEqualTo(alone.chunkShas());
        assertThat(next.routes()).isEqualTo(alone.routes());
        assertThat(next.size()).isEqualTo(alone.size()).isEqualTo(2_000);
        assertThat(next.profiles()).isEqualTo(alone.profiles());
        assertThat(next.route(added.serviceId())).contains(added);
        assertThat(next.route(changed.serviceId())).contains(lines.get(7));
        assertThat(next.route(removed.serviceId())).isEmpty();
        assertThat(earlier.route(removed.serviceId())).contains(removed);
        IntStream.range(0, RoutingTable.SHARDS).forEach(shard -> {
            if (changedShards.contains(shard)) {
                assertThat(next.shardLines(shard)).isNotSameAs(earlier.shardLines(shard));
            } else {
                assertThat(next.shardLines(shard)).as("shard " + shard).isSameAs(earlier.shardLines(shard));
                assertThat(next.chunks().get(shard)).as("shard " + shard).isSameAs(earlier.chunks().get(shard));
            }
        });
    }

    @Test
    void aBasePathMovesBetweenServicesOfDifferentShardsInOneVersion() {
        RoutingTable earlier = RoutesPublisherTest.table(2_000);
        List<RouteLine> lines = new ArrayList<>(earlier.routes().values());
        int from = indexOfServiceNotInShardOf(lines, lines.get(3));
        RouteLine giver = lines.get(from);
        RouteLine taker = lines.get(3);
        lines.set(from, withBasePath(giver, "/given/away"));
        lines.set(3, withBasePath(taker, giver.basePath()));

        RoutingTable next = RoutingTable.withShards(earlier, shardsOf(lines, Set.of(shardOf(giver), shardOf(taker))));

        assertThat(next).isEqualTo(RoutingTable.of("edge", lines));
        assertThat(next.routes().get(taker.serviceId()).basePath()).isEqualTo(giver.basePath());
    }

    @Test
    void aBasePathHeldByAServiceOfAnotherShardIsRefusedNamingBoth() {
        RoutingTable earlier = RoutesPublisherTest.table(2_000);
        List<RouteLine> lines = new ArrayList<>(earlier.routes().values());
        RouteLine holder = lines.get(indexOfServiceNotInShardOf(lines, lines.get(3)));
        RouteLine taker = lines.get(3);
        lines.set(3, withBasePath(taker, holder.basePath()));

        assertThatThrownBy(() -> RoutingTable.withShards(earlier, shardsOf(lines, Set.of(shardOf(taker)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(holder.serviceId(), taker.serviceId(), "both have base path " + holder.basePath());
        assertThatThrownBy(() -> RoutingTable.withShards(RoutingTable.empty("edge"), shardsOf(lines, allShards())))
                .as("many shards replaced: checked in one pass over the table")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(holder.serviceId(), taker.serviceId(), "both have base path " + holder.basePath());
        assertThatThrownBy(() -> RoutingTable.of("edge", lines, earlier))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(holder.serviceId(), taker.serviceId(), "both have base path " + holder.basePath());
    }

    @Test
    void replacedShardLinesMustBeOfTheShardAndInOrder() {
        RoutingTable earlier = RoutesPublisherTest.table(100);
        RouteLine line = RoutesPublisherTest.line(1);
        int otherShard = (shardOf(line) + 1) % RoutingTable.SHARDS;

        assertThatThrownBy(() -> RoutingTable.withShards(earlier, Map.of(otherShard, List.of(line))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("svc-1 is not of shard " + otherShard);
        List<RouteLine> shardLines = earlier.shardLines(shardOf(line));
        List<RouteLine> twice = new ArrayList<>(shardLines);
        twice.add(twice.get(twice.size() - 1));
        assertThatThrownBy(() -> RoutingTable.withShards(earlier, Map.of(shardOf(line), twice)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }

    @Test
    void deltaToATableWithReplacedShardsIsTheDeltaOfTheWholeComparison() {
        RoutingTable earlier = RoutesPublisherTest.table(2_000);
        List<RouteLine> lines = new ArrayList<>(earlier.routes().values());
        lines.set(7, withBasePath(lines.get(7), "/changed"));
        lines.set(8, withBasePath(lines.get(8), "/changed-too"));
        lines.remove(500);
        lines.remove(900);
        lines.add(RoutesPublisherTest.line(9_999));
        lines.add(RoutesPublisherTest.line(9_998));
        Set<Integer> changedShards = new java.util.HashSet<>();
        earlier.deltaTo(RoutingTable.of("edge", lines)).upserts().forEach(line -> changedShards.add(shardOf(line)));
        earlier.deltaTo(RoutingTable.of("edge", lines)).removals().forEach(id -> changedShards.add(RoutingTable.shard(id)));

        RoutingTable next = RoutingTable.withShards(earlier, shardsOf(lines, changedShards));
        RoutesDelta expected = wholeComparison(earlier, RoutingTable.of("edge", lines));

        assertThat(expected.upserts()).hasSize(4);
        assertThat(expected.removals()).hasSize(2);
        assertThat(earlier.deltaTo(next)).isEqualTo(expected);
        assertThat(earlier.deltaTo(RoutingTable.of("edge", lines))).isEqualTo(expected);
        assertThat(next.deltaTo(earlier)).isEqualTo(wholeComparison(next, earlier));
        assertThat(next.deltaTo(next).isEmpty()).isTrue();
    }

    @Test
    void theSha256OfA64ShardTableIsWhatTheManagerPublishedBeforeAnd256ShardTablesArePinnedToo() {
        assertThat(RoutesPublisherTest.legacyTable(100).sha256()).isEqualTo("45437c80e6880dff3ed2069a504362e57a92f31f67b65a86b187e20051c1be00");
        assertThat(RoutesPublisherTest.legacyTable(2_000).sha256()).isEqualTo("73401edd1ba7065827c6de5d5c8fd4f1b5b57640b4cb39c73b72cfa3e5a97242");

        RoutingTable fromLines = RoutesPublisherTest.table(2_000);
        RoutingTable fromShards = RoutingTable.withShards(RoutingTable.empty("edge"),
                shardsOf(new ArrayList<>(fromLines.routes().values()), allShards()));
        assertThat(RoutesPublisherTest.table(100).sha256()).isEqualTo("e7d3668ed8cca5b319f2089401199b9a1f1cc6174d9f7aa0c206e2225dc3efa6");
        assertThat(fromLines.sha256()).isEqualTo("3ba9bca3ceb861bbf1db9f7520d44c21f2e1bb5916568e095c4236a79e0a3f7c");
        assertThat(fromShards.sha256()).isEqualTo(fromLines.sha256());
    }

    /** What deltaTo answered before tables shared shards: every service of both tables compared. */
    private static RoutesDelta wholeComparison(RoutingTable older, RoutingTable newer) {
        List<RouteLine> upserts = new ArrayList<>();
        newer.routes().forEach((service, line) -> {
            if (!line.equals(older.routes().get(service))) {
                upserts.add(line);
            }
        });
        List<String> removals = older.routes().keySet().stream().filter(service -> !newer.routes().containsKey(service)).toList();
        return new RoutesDelta(upserts, removals);
    }

    private static Map<Integer, List<RouteLine>> shardsOf(List<RouteLine> lines, Set<Integer> shards) {
        Map<Integer, List<RouteLine>> replaced = new HashMap<>();
        shards.forEach(shard -> replaced.put(shard, lines.stream().filter(line -> shardOf(line) == shard)
                .sorted(Comparator.comparing(RouteLine::serviceId)).toList()));
        return replaced;
    }

    private static Set<Integer> allShards() {
        return Set.copyOf(IntStream.range(0, RoutingTable.SHARDS).boxed().toList());
    }

    private static int indexOfServiceNotInShardOf(List<RouteLine> lines, RouteLine line) {
        return IntStream.range(0, lines.size()).filter(i -> shardOf(lines.get(i)) != shardOf(line)).findFirst().orElseThrow();
    }

    private static int shardOf(RouteLine line) {
        return RoutingTable.shard(line.serviceId());
    }

    private static RouteLine withBasePath(RouteLine line, String basePath) {
        return new RouteLine(line.serviceId(), basePath, line.profile(), line.connectTimeoutMs(), line.sendTimeoutMs(),
                line.readTimeoutMs(), line.maxFails(), line.failTimeoutSeconds(), line.stripBasePath());
    }
}
