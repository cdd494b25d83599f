package io.lbmanager.bench;

import io.lbmanager.catalog.Upstream;
import io.lbmanager.peers.PeerList;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.TreeWatch;
import io.lbmanager.zk.ZooKeeperClients;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.recipes.cache.ChildData;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An agent's first read of its group's peer lists (one node per service, 10 peers each) from a real
 * in-process ZooKeeper, each list parsed as the agent does, until the watch says the first read is
 * done: {@link TreeWatch#children} (one read per node, what agents use) against Curator's
 * {@code CuratorCache} ({@link TreeWatch#subtreeWithoutData}, what they used before), alternated in
 * one run, each read with a new session.
 *
 * <pre>java -Xmx2g -cp benchmarks/target/benchmarks.jar io.lbmanager.bench.PeerReadBench 10000,50000 5</pre>
 */
public final class PeerReadBench {

    private static final String PEERS = "/lb-manager/groups/edge/peers";

    private PeerReadBench() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = Arrays.stream(args[0].split(",")).map(Integer::parseInt).toList();
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.println("| agent's first read of the peer lists, in process | size | median | p99 | baseline (same run): CuratorCache | ratio (median, p99) |");
        System.out.println("|---|---|---|---|---|---|");
        for (int size : sizes) {
            try (ZooKeeperExtension zk = new ZooKeeperExtension().start()) {
                write(zk, size);
                List<Long> children = new ArrayList<>();
                List<Long> cache = new ArrayList<>();
                for (int run = 0; run < runs; run++) {
                    cache.add(read(zk, size, TreeWatch::subtreeWithoutData));
                    children.add(read(zk, size, TreeWatch::children));
                }
                Stats now = Stats.of(children);
                Stats before = Stats.of(cache);
                System.out.printf("| every peer list read and parsed (10 peers each), until the first read is done | %,d services | %s ms | %s ms (n=%d) "
                                + "| %s / %s ms | %sx, %sx |%n", size, Stats.num(now.median()), Stats.num(now.p99()), now.n(),
                        Stats.num(before.median()), Stats.num(before.p99()), Stats.num(before.median() / now.median()),
                        Stats.num(before.p99() / now.p99()));
            }
        }
    }

    private static void write(ZooKeeperExtension zk, int size) throws Exception {
        CuratorFramework client = zk.curator();
        client.create().creatingParentsIfNeeded().forPath(PEERS);
        List<CuratorOp> ops = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String service = Catalogs.serviceId(i);
            List<Upstream> peers = new ArrayList<>();
            for (int p = 0; p < 10; p++) {
                peers.add(new Upstream("10.0." + (i % 250) + "." + p, 8000 + p));
            }
            ops.add(client.transactionOp().create().forPath(PEERS + "/" + service, new PeerList(service, peers).encode()));
            if (ops.size() == 500 || i == size - 1) {
                client.transaction().forOperations(ops);
                ops.clear();
            }
        }
    }

    /** Milliseconds from the watch's start until its first read is done, with every list parsed. */
    private static long read(ZooKeeperExtension zk, int size, Watch watch) throws Exception {
        try (CuratorFramework client = ZooKeeperClients.client(zk.connectString(), 30_000, 10_000)) {
            client.start();
            client.blockUntilConnected();
            AtomicInteger parsed = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(1);
            long start = System.nanoTime();
            try (TreeWatch ignored = watch.of(client, PEERS, new TreeWatch.Events() {
                @Override
                public void nodeChanged(ChildData node) {
                    if (node.getPath().startsWith(PEERS + "/")) {
                        PeerList.parse(node.getPath(), node.getData()).dictValue();
                        parsed.incrementAndGet();
                    }
                }

                @Override
                public void initialized() {
                    done.countDown();
                }
            }).start()) {
                if (!done.await(5, TimeUnit.MINUTES) || parsed.get() != size) {
                    throw new IllegalStateException("read " + parsed.get() + " of " + size + " peer lists");
                }
                return (System.nanoTime() - start) / 1_000_000;
            }
        }
    }

    private interface Watch {
        TreeWatch of(CuratorFramework client, String path, TreeWatch.Events events);
    }
}
