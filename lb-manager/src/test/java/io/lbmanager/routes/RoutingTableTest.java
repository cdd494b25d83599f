package io.lbmanager.routes;

import io.lbmanager.contract.RouteLine;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** A table built over an earlier one reuses the chunks of shards that did not change and is the same table as one built alone. */
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
}
