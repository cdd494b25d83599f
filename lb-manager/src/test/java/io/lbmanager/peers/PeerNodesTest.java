package io.lbmanager.peers;

import io.lbmanager.catalog.Upstream;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Peer buckets written to a real ZooKeeper server, alone or in bursts. */
class PeerNodesTest {

    private final ZkLayout layout = new ZkLayout("/lbm-test");
    @RegisterExtension
    final ZooKeeperExtension zk = ZooKeeperExtension.perTest();
    private CuratorFramework client;
    private PeerNodes nodes;

    @BeforeEach
    void start() throws Exception {
        client = zk.curator();
        nodes = new PeerNodes(client, layout);
    }

    private static PeerList list(String service, int port) {
        return new PeerList(service, List.of(new Upstream("10.0.0.1", port)));
    }

    private static List<PeerList> lists(int count, int port) {
        return IntStream.range(0, count).mapToObj(i -> list(String.format("s%04d", i), port)).toList();
    }

    private void write(Iterable<PeerList> lists, String... gone) throws Exception {
        StoredPeerLists stored = nodes.read("edge");
        lists.forEach(stored::put);
        for (String service : gone) {
            stored.remove(service);
        }
        nodes.write("edge", stored);
    }

    private Map<String, PeerList> stored() throws Exception {
        StoredPeerLists stored = nodes.read("edge");
        Map<String, PeerList> lists = new HashMap<>();
        stored.services().forEach(service -> lists.put(service, stored.get(service)));
        return lists;
    }

    /** Bytes written per transaction (the buckets' creating zxid). */
    private Map<Long, Integer> bytesByCreatingTransaction() throws Exception {
        Map<Long, Integer> bytes = new HashMap<>();
        for (String child : client.getChildren().forPath(layout.groupPeerBuckets("edge"))) {
            Stat stat = client.checkExists().forPath(layout.groupPeerBucket("edge", child));
            bytes.merge(stat.getCzxid(), stat.getDataLength(), Integer::sum);
        }
        return bytes;
    }

    @Test
    void aBurstOfNewListsIsWrittenInTransactionsOfAtMostFiveHundredBuckets() throws Exception {
        List<PeerList> lists = lists(1_200, 9000);
        int buckets = (int) lists.stream().map(list -> PeerBucket.of(list.service())).distinct().count();

        write(lists);

        assertThat(stored()).hasSize(1_200).containsEntry("s0042", list("s0042", 9000));
        assertThat(client.getChildren().forPath(layout.groupPeerBuckets("edge"))).hasSize(buckets);
        assertThat(bytesByCreatingTransaction()).hasSize((buckets + 499) / 500);
        assertThat(nodes.writes()).isEqualTo(buckets);
    }

    @Test
    void aBurstOfLargeListsIsSplitSoNoTransactionCarriesMoreThanHalfAMegabyte() throws Exception {
        List<Upstream> thousandPeers = IntStream.range(0, 1_000).mapToObj(i -> new Upstream("10.0." + i / 250 + "." + i % 250, 8000 + i)).toList();
        List<PeerList> lists = IntStream.range(0, 40).mapToObj(i -> new PeerList("big" + i, thousandPeers)).toList();

        write(lists);

        assertThat(stored()).hasSize(40).containsEntry("big7", lists.get(7));
        Map<Long, Integer> bytes = bytesByCreatingTransaction();
        assertThat(bytes.values().stream().mapToInt(Integer::intValue).sum()).as("written in all").isGreaterThan(PeerNodes.BYTES_PER_TRANSACTION * 2);
        assertThat(bytes.values()).allMatch(written -> written <= PeerNodes.BYTES_PER_TRANSACTION);
    }

    @Test
    void changedListsAndGoneServicesInOneBurst() throws Exception {
        write(lists(10, 9000));

        write(List.of(list("s0001", 9100), list("s0002", 9200), list("new", 9300)), "s0003", "s0004");

        assertThat(stored()).hasSize(9)
                .containsEntry("s0001", list("s0001", 9100))
                .containsEntry("s0002", list("s0002", 9200))
                .containsEntry("new", list("new", 9300))
                .containsEntry("s0005", list("s0005", 9000))
                .doesNotContainKeys("s0003", "s0004");
    }

    @Test
    void aBucketLeftWithoutListsIsDeleted() throws Exception {
        write(lists(3, 9000));

        write(List.of(), "s0000", "s0001", "s0002");

        assertThat(client.getChildren().forPath(layout.groupPeerBuckets("edge"))).isEmpty();
    }

    @Test
    void aBurstThatFindsABucketItDidNotKnowOfIsWrittenNodeByNode() throws Exception {
        write(List.of(list("s0000", 9000)));
        StoredPeerLists unaware = new StoredPeerLists(); // another manager's view, from before s0000 was written
        lists(3, 9500).forEach(unaware::put);

        nodes.write("edge", unaware);

        assertThat(stored()).hasSize(3)
                .containsEntry("s0000", list("s0000", 9500))
                .containsEntry("s0002", list("s0002", 9500));
    }

    @Test
    void anUnreadableBucketIsWrittenAnewAndANodeThatIsNoBucketIsDeleted() throws Exception {
        write(lists(3, 9000));
        String bucket = PeerBucket.name(PeerBucket.of("s0001"));
        client.setData().forPath(layout.groupPeerBucket("edge", bucket), "{\"lists\":[{\"service\":\"s0001\",\"peers\":[{\"host\":\"x;\"}]}]}"
                .getBytes(StandardCharsets.UTF_8));
        client.create().forPath(layout.groupPeerBucket("edge", "stray"));

        StoredPeerLists stored = nodes.read("edge");
        assertThat(stored.changedBuckets()).containsExactly(PeerBucket.of("s0001"));
        lists(3, 9000).forEach(stored::put);
        nodes.write("edge", stored);

        assertThat(stored()).containsEntry("s0001", list("s0001", 9000)).hasSize(3);
        assertThat(client.getChildren().forPath(layout.groupPeerBuckets("edge"))).doesNotContain("stray");
    }

    @Test
    void theNodesOfTheLayoutBeforeBucketsAreDeletedWithTheirParent() throws Exception {
        for (int i = 0; i < 1_100; i++) {
            client.create().creatingParentsIfNeeded().forPath(layout.groupPeerList("edge", "old" + i), list("old" + i, 80).encode());
        }
        assertThat(nodes.hasUnbucketed("edge")).isTrue();

        assertThat(nodes.deleteUnbucketed("edge")).isEqualTo(1_100);

        assertThat(client.checkExists().forPath(layout.groupPeers("edge"))).isNull();
        assertThat(nodes.hasUnbucketed("edge")).isFalse();
    }

    @Test
    void oneListIsReadFromItsBucketWithTheBucketsVersionElseFromTheOlderLayout() throws Exception {
        write(lists(2, 9000));
        client.create().creatingParentsIfNeeded().forPath(layout.groupPeerList("edge", "old"), list("old", 80).encode());
        Stat bucket = client.checkExists().forPath(layout.groupPeerBucket("edge", PeerBucket.name(PeerBucket.of("s0001"))));

        assertThat(PeerBucket.readOne(client, layout, "edge", "s0001")).contains(new PeerBucket.StoredList(list("s0001", 9000), bucket.getMzxid()));
        assertThat(PeerBucket.readOne(client, layout, "edge", "old")).map(PeerBucket.StoredList::list).contains(list("old", 80));
        assertThat(PeerBucket.readOne(client, layout, "edge", "none")).isEmpty();
        assertThat(Set.copyOf(stored().keySet())).isEqualTo(lists(2, 0).stream().map(PeerList::service).collect(Collectors.toSet()));
    }
}
