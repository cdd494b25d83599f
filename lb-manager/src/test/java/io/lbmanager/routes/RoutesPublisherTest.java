package io.lbmanager.routes;

import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.contract.RouteLine;
import io.lbmanager.signing.SigningKeys;
import io.lbmanager.signing.VersionSigner;
import io.lbmanager.signing.VersionVerifier;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Publishing routing tables to a real ZooKeeper (default jute.maxbuffer) and reading them back as an agent does. */
class RoutesPublisherTest {

    private static final ZkLayout LAYOUT = new ZkLayout("/lb-manager");
    private static final KeyPair KEYS = SigningKeys.generate();

    @RegisterExtension
    final ZooKeeperExtension zk = ZooKeeperExtension.perTest();
    private CuratorFramework client;
    private RoutesPublisher publisher;

    @BeforeEach
    void start() {
        client = zk.curator();
        publisher = new RoutesPublisher(client, LAYOUT, 3, Optional.of(new VersionSigner(KEYS.getPrivate())));
    }

    static RouteLine line(int i) {
        return new RouteLine("svc-" + i, "/api/svc-" + i, i % 3 == 0 ? "p00000000a1" : "p00000000b2", 1_000, 60_000, 60_000, 3, 10,
                i % 2 == 0);
    }

    static RoutingTable table(int services) {
        return RoutingTable.of("edge", IntStream.range(0, services).mapToObj(RoutesPublisherTest::line).toList());
    }

    private RoutesReader reader() {
        return new RoutesReader(client, LAYOUT, "edge", Optional.of(new VersionVerifier(KEYS.getPublic())));
    }

    private PublishedVersion published(RoutesPublisher.PublishOutcome outcome) {
        assertThat(outcome).isInstanceOf(RoutesPublisher.PublishOutcome.Published.class);
        return ((RoutesPublisher.PublishOutcome.Published) outcome).version();
    }

    @Test
    void aChangeOfOneServiceWritesOneChunkAndTheVersionInOneTransaction() throws Exception {
        published(publisher.publishIfChanged(table(500), "first"));
        int chunksBefore = client.getChildren().forPath(LAYOUT.routeChunks("edge")).size();
        List<RouteLine> lines = new ArrayList<>(table(500).routes().values());
        lines.removeIf(l -> l.serviceId().equals("svc-7"));
        lines.add(new RouteLine("svc-7", "/moved/svc-7", "p00000000b2", 1_000, 60_000, 60_000, 3, 10, false));

        RoutesPublisher.PublishOutcome outcome = publisher.publishIfChanged(RoutingTable.of("edge", lines), "move svc-7");

        RoutesPublisher.PublishOutcome.Published second = (RoutesPublisher.PublishOutcome.Published) outcome;
        assertThat(second.version().version()).isEqualTo(2);
        assertThat(second.chunksWritten()).isEqualTo(1);
        assertThat(second.transactions()).isEqualTo(1);
        assertThat(client.getChildren().forPath(LAYOUT.routeChunks("edge"))).hasSize(chunksBefore + 1);
        assertThat(Json.read("t", client.getData().forPath(LAYOUT.routesTarget("edge")), PublishedVersion.class).version()).isEqualTo(2);
    }

    @Test
    void anUnchangedTablePublishesNothing() throws Exception {
        PublishedVersion first = published(publisher.publishIfChanged(table(20), "first"));

        assertThat(publisher.publishIfChanged(table(20), "again")).isEqualTo(new RoutesPublisher.PublishOutcome.Unchanged(first));
        assertThat(publisher.storedVersions("edge")).containsExactly(1L);
    }

    @Test
    void theReaderGetsBackTheTableAndFetchesOnlyChangedChunksTheNextTime() throws Exception {
        RoutesReader reader = reader();
        PublishedVersion first = published(publisher.publishIfChanged(table(300), "first"));
        RoutesReader.Read read = reader.read(first);
        assertThat(read).isInstanceOf(RoutesReader.Read.Table.class);
        assertThat(((RoutesReader.Read.Table) read).table()).isEqualTo(table(300));

        PublishedVersion second = published(publisher.publishIfChanged(table(301), "one more"));
        RoutesReader.Read.Table again = (RoutesReader.Read.Table) reader.read(second);

        assertThat(again.table()).isEqualTo(table(301));
        assertThat(again.chunksFetched()).isEqualTo(1);
        assertThat(table(300).deltaTo(again.table())).isEqualTo(new RoutesDelta(List.of(line(300)), List.of()));
    }

    /** The same lines in the 64 shards of tables published before 256. */
    static RoutingTable legacyTable(int services) {
        java.util.Map<Integer, List<RouteLine>> byShard = new java.util.TreeMap<>();
        table(services).routes().values().forEach(line -> byShard.computeIfAbsent(
                RoutingTable.shard(line.serviceId(), RoutingTable.LEGACY_SHARDS), shard -> new ArrayList<>()).add(line));
        return RoutingTable.withShards(RoutingTable.empty("edge", RoutingTable.LEGACY_SHARDS), byShard);
    }

    @Test
    void aVersionOfTheLegacy64ShardsIsReadAndTheNext256ShardVersionReplacesItLineForLine() throws Exception {
        RoutesReader reader = reader();
        RoutesReader.Read.Table legacy = (RoutesReader.Read.Table) reader.read(published(publisher.publishIfChanged(legacyTable(300), "old")));
        assertThat(legacy.table().shardCount()).isEqualTo(RoutingTable.LEGACY_SHARDS);
        assertThat(legacy.table()).isEqualTo(table(300)).hasSameHashCodeAs(table(300));

        RoutesReader.Read.Table next = (RoutesReader.Read.Table) reader.read(published(publisher.publishIfChanged(table(301), "new")));

        assertThat(next.table().shardCount()).isEqualTo(RoutingTable.SHARDS);
        assertThat(next.table()).isEqualTo(table(301));
        assertThat(legacy.table().deltaTo(next.table())).isEqualTo(new RoutesDelta(List.of(line(300)), List.of()));
        assertThat(next.table().deltaTo(legacy.table())).isEqualTo(new RoutesDelta(List.of(), List.of("svc-300")));
    }

    @Test
    void aVersionListingAnotherShardCountIsRefused() throws Exception {
        PublishedVersion first = published(publisher.publishIfChanged(table(10), "first"));
        String path = LAYOUT.routeVersion("edge", 1);
        RoutesVersion stored = Json.read(path, client.getData().forPath(path), RoutesVersion.class);
        List<String> chunks = new ArrayList<>(stored.chunks().subList(0, 128));
        client.setData().forPath(path, Json.write(new RoutesVersion(1, "edge", chunks, stored.services(), stored.createdAt(), null)));

        RoutesReader.Read read = new RoutesReader(client, LAYOUT, "edge", Optional.empty()).read(first);

        assertThat(read).isInstanceOf(RoutesReader.Read.Refused.class);
        assertThat(((RoutesReader.Read.Refused) read).reason()).contains("lists 128 chunks, not 256 (or 64)");
    }

    @Test
    void aVersionChangingOneShardLeavesTheReadersOtherShardsAsTheyWere() throws Exception {
        RoutesReader reader = reader();
        RoutingTable first = ((RoutesReader.Read.Table) reader.read(published(publisher.publishIfChanged(table(2_000), "first")))).table();
        List<RouteLine> lines = new ArrayList<>(table(2_000).routes().values());
        lines.set(7, new RouteLine(lines.get(7).serviceId(), "/moved", "p00000000b2", 1_000, 60_000, 60_000, 3, 10, false));
        int changedShard = RoutingTable.shard(lines.get(7).serviceId());

        RoutesReader.Read.Table second = (RoutesReader.Read.Table) reader.read(published(publisher.publishIfChanged(
                RoutingTable.of("edge", lines), "move one")));

        assertThat(second.table()).isEqualTo(RoutingTable.of("edge", lines));
        assertThat(second.chunksFetched()).isEqualTo(1);
        IntStream.range(0, RoutingTable.SHARDS).forEach(shard -> {
            if (shard == changedShard) {
                assertThat(second.table().shardLines(shard)).isNotSameAs(first.shardLines(shard));
            } else {
                assertThat(second.table().shardLines(shard)).as("shard " + shard).isSameAs(first.shardLines(shard));
            }
        });
    }

    @Test
    void aTamperedVersionNodeIsRefusedForItsSignature() throws Exception {
        PublishedVersion first = published(publisher.publishIfChanged(table(10), "first"));
        String path = LAYOUT.routeVersion("edge", 1);
        RoutesVersion stored = Json.read(path, client.getData().forPath(path), RoutesVersion.class);
        List<String> chunks = new ArrayList<>(stored.chunks());
        chunks.set(chunks.indexOf(null), chunks.stream().filter(c -> c != null).findFirst().orElseThrow());
        client.setData().forPath(path, Json.write(new RoutesVersion(1, "edge", chunks, stored.services(), stored.createdAt(),
                stored.signature())));

        RoutesReader.Read read = reader().read(new PublishedVersion("edge", 1, RoutingTable.sha256Of(chunks), 0, "forged"));

        assertThat(read).isInstanceOf(RoutesReader.Read.Refused.class);
        assertThat(((RoutesReader.Read.Refused) read).reason()).contains("bad signature on version 1");
        assertThat(first.version()).isEqualTo(1);
    }

    @Test
    void anUnsignedVersionIsRefusedByAnAgentThatChecksSignatures() throws Exception {
        RoutesPublisher unsigned = new RoutesPublisher(client, LAYOUT, 3, Optional.empty());
        PublishedVersion first = published(unsigned.publishIfChanged(table(10), "unsigned"));

        RoutesReader.Read read = reader().read(first);

        assertThat(((RoutesReader.Read.Refused) read).reason()).contains("unsigned");
    }

    @Test
    void aCorruptChunkIsRefusedNamingTheNodeAndNothingOfItIsApplied() throws Exception {
        PublishedVersion first = published(publisher.publishIfChanged(table(10), "first"));
        String sha = table(10).chunkShas().stream().filter(s -> s != null).findFirst().orElseThrow();
        byte[] injected = RouteChunk.encode(List.of()).gzip();
        client.setData().forPath(LAYOUT.routeChunk("edge", sha), injected);

        RoutesReader.Read read = reader().read(first);

        assertThat(read).isInstanceOf(RoutesReader.Read.Refused.class);
        assertThat(((RoutesReader.Read.Refused) read).reason()).contains(LAYOUT.routeChunk("edge", sha), "does not hash");
    }

    @Test
    void aChunkWithAHostileLineIsRefusedEvenWhenItsHashMatches() throws Exception {
        byte[] hostile = gzip("svc-1 /x;include p00000000a1 1 1 1 1 1 0\n");
        String sha = RoutingTable.sha256(hostile);

        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> RouteChunk.decode("/c/" + sha, hostile, sha, RoutingTable.shard("svc-1"), RoutingTable.SHARDS)))
                .hasMessageContaining("/c/" + sha).hasMessageContaining("basePath");
    }

    @Test
    void oldVersionsAndTheChunksOnlyTheyListAreCollected() throws Exception {
        for (int services = 1; services <= 6; services++) {
            published(publisher.publishIfChanged(table(services * 40), "grow"));
        }

        assertThat(publisher.storedVersions("edge")).containsExactly(4L, 5L, 6L);
        java.util.Set<String> referenced = new java.util.HashSet<>();
        for (int services = 4; services <= 6; services++) {
            table(services * 40).chunkShas().stream().filter(s -> s != null).forEach(referenced::add);
        }
        assertThat(client.getChildren().forPath(LAYOUT.routeChunks("edge"))).containsExactlyInAnyOrderElementsOf(referenced);
    }

    @Test
    void fiftyThousandServicesFitADefaultZooKeeperAndOneChangeRewritesOneChunk() throws Exception {
        RoutingTable big = table(50_000);
        for (var chunk : big.chunks()) {
            assertThat(chunk.gzip().length).as("one chunk, gzip").isLessThan(200 * 1024);
        }
        PublishedVersion first = published(publisher.publishIfChanged(big, "50,000 services"));
        List<RouteLine> lines = new ArrayList<>(big.routes().values());
        lines.remove(12_345);
        PublishedVersion second = published(publisher.publishIfChanged(RoutingTable.of("edge", lines), "one removed"));

        RoutesReader reader = reader();
        RoutesReader.Read.Table read = (RoutesReader.Read.Table) reader.read(first);
        assertThat(read.table().size()).isEqualTo(50_000);
        RoutesReader.Read.Table next = (RoutesReader.Read.Table) reader.read(second);
        assertThat(next.chunksFetched()).isEqualTo(1);
        assertThat(read.table().deltaTo(next.table()).removals()).hasSize(1);
    }

    private static byte[] gzip(String text) throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(bytes)) {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
