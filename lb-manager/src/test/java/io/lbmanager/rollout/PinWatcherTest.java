package io.lbmanager.rollout;

import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pin watch reads two levels of the groups' runtime nodes: it starts, and sees a pin, beside a
 * group whose 50,000 peer lists no ZooKeeper listing under the default 1 MB could hold, and a
 * service named "pin" is not a pin.
 */
class PinWatcherTest {

    private static final ZkLayout LAYOUT = new ZkLayout("/pins");
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();

    @Test
    void aPinIsSeenBesideFiftyThousandPeerListsAndAServiceNamedPinIsNot() throws Exception {
        CuratorFramework client = ZK.curator();
        client.create().creatingParentsIfNeeded().forPath(LAYOUT.groupPeers("edge"));
        List<CuratorOp> ops = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            ops.add(client.transactionOp().create().forPath(LAYOUT.groupPeerList("edge", String.format("payments-checkout-api-%05d", i))));
            if (ops.size() == 1_000) {
                client.transaction().forOperations(ops);
                ops.clear();
            }
        }
        AtomicInteger renders = new AtomicInteger();
        try (RenderRequests requests = new RenderRequests(0, 10)) {
            requests.serve(renders::incrementAndGet);
            PinWatcher watcher = new PinWatcher(client, LAYOUT, requests);
            watcher.start();
            try {
                Thread.sleep(1_000);
                int afterStart = renders.get();
                client.create().forPath(LAYOUT.groupPeerList("edge", "pin"));
                Thread.sleep(500);
                assertThat(renders.get()).as("a peer list named pin").isEqualTo(afterStart);

                client.create().forPath(LAYOUT.groupPin("edge"), "{}".getBytes());
                Await.await("the pin asks for a render", Duration.ofSeconds(10), () -> renders.get() > afterStart);
            } finally {
                watcher.stop();
            }
        }
    }
}
