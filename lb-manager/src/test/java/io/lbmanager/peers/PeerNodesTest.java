package io.lbmanager.peers;

import io.lbmanager.catalog.Upstream;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Peer-list nodes written to a real ZooKeeper server, alone or in bursts. */
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

    private Set<Long> creatingTransactions(String group) throws Exception {
        Set<Long> zxids = new HashSet<>();
        for (String child : client.getChildren().forPath(layout.groupPeers(group))) {
            Stat stat = client.checkExists().forPath(layout.groupPeerList(group, child));
            zxids.add(stat.getCzxid());
        }
        return zxids;
    }

    @Test
    void aBurstOfNewListsIsWrittenInTransactionsOfAtMostFiveHundred() throws Exception {
        nodes.update("edge", lists(1_200, 9000), Set.of(), List.of());

        assertThat(nodes.read("edge")).hasSize(1_200).containsEntry("s0042", list("s0042", 9000));
        assertThat(creatingTransactions("edge")).hasSize(3);
        assertThat(nodes.writes()).isEqualTo(1_200);
    }

    @Test
    void changedListsAndGoneServicesInOneBurst() throws Exception {
        nodes.update("edge", lists(10, 9000), Set.of(), List.of());
        Set<String> existing = nodes.read("edge").keySet();

        nodes.update("edge", List.of(list("s0001", 9100), list("s0002", 9200), list("new", 9300)), existing, List.of("s0003", "s0004"));

        assertThat(nodes.read("edge")).hasSize(9)
                .containsEntry("s0001", list("s0001", 9100))
                .containsEntry("s0002", list("s0002", 9200))
                .containsEntry("new", list("new", 9300))
                .containsEntry("s0005", list("s0005", 9000))
                .doesNotContainKeys("s0003", "s0004");
    }

    @Test
    void aBurstThatFindsANodeItDidNotKnowOfIsWrittenNodeByNode() throws Exception {
        nodes.update("edge", List.of(list("s0000", 9000)), Set.of(), List.of());

        nodes.update("edge", lists(3, 9500), Set.of(), List.of("never-written"));

        assertThat(nodes.read("edge")).hasSize(3)
                .containsEntry("s0000", list("s0000", 9500))
                .containsEntry("s0002", list("s0002", 9500));
    }
}
