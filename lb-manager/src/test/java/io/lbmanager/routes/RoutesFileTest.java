package io.lbmanager.routes;

import io.lbmanager.contract.RouteLine;
import io.lbmanager.peers.NewestOnDisk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent's disk copy of its routing table, written off the push thread: the newest table wins and close() leaves it on disk. */
class RoutesFileTest {

    @TempDir
    Path dir;

    @Test
    void afterCloseTheFileHoldsTheNewestTableHandedOver() throws Exception {
        RoutesFile file = new RoutesFile(dir.resolve("last-good").resolve("routes.txt"));
        NewestOnDisk<RoutesFile.Stored> writer = new NewestOnDisk<>("routes-file-test", "edge/a1", NewestOnDisk.AGENT_GAP,
                stored -> file.write(stored.version(), stored.table()), stored -> "routes version " + stored.version());
        RoutingTable big = RoutesPublisherTest.table(20_000);
        RoutingTable newest = RoutesPublisherTest.table(100);

        for (int version = 1; version < 20; version++) {
            writer.keep(new RoutesFile.Stored(version, big));
        }
        writer.keep(new RoutesFile.Stored(20, newest));
        writer.close();

        RoutesFile.Stored stored = file.read("edge").orElseThrow();
        assertThat(stored.version()).as("version on disk").isEqualTo(20);
        assertThat(stored.table()).isEqualTo(newest);
        try (var left = Files.list(file.path().getParent())) {
            assertThat(left.map(Path::getFileName).map(Path::toString)).as("no temporary file left").containsExactly("routes.txt");
        }
    }

    @Test
    void aFileWrittenShardByShardReadsBackAsTheSameTable() throws Exception {
        RoutesFile file = new RoutesFile(dir.resolve("routes.txt"));
        RoutingTable table = RoutesPublisherTest.table(3_000);

        file.write(7, table);

        assertThat(file.read("edge").orElseThrow()).isEqualTo(new RoutesFile.Stored(7, table));
        List<String> lines = Files.readAllLines(file.path());
        assertThat(lines.get(0)).isEqualTo("table 7");
        assertThat(lines.subList(1, lines.size())).containsExactlyInAnyOrderElementsOf(
                table.routes().values().stream().map(RouteLine::format).toList());
    }
}
