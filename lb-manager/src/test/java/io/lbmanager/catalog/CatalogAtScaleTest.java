package io.lbmanager.catalog;

import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.CatalogWatcher;
import io.lbmanager.snapshot.DiscoveryGuard;
import io.lbmanager.snapshot.SnapshotSource;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * 50,000 services with ids of a realistic length (27 characters) on a ZooKeeper with its default
 * {@code jute.maxbuffer}: stored in buckets, every listing stays far below 1 MB and the manager's
 * catalog watch reads them all; the same ids in one flat node cannot even be listed.
 */
class CatalogAtScaleTest {

    private static final int SERVICES = 50_000;
    private static final ZkLayout LAYOUT = new ZkLayout("/scale");
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();

    @BeforeAll
    static void storeFiftyThousandServices() throws Exception {
        CuratorFramework client = ZK.curator();
        for (String bucket : bucketsOf(ids())) {
            client.create().creatingParentsIfNeeded().forPath(bucket);
        }
        write(client, ids(), id -> LAYOUT.service(id), id -> ServiceCodec.encode(record(id)));
    }

    @Test
    void everyListingOfTheBucketedCatalogStaysFarBelowOneMegabyte() throws Exception {
        CuratorFramework client = ZK.curator();
        List<String> buckets = client.getChildren().forPath(LAYOUT.services());
        int largest = listingBytes(buckets);
        int services = 0;
        for (String bucket : buckets) {
            List<String> ids = client.getChildren().forPath(LAYOUT.services() + "/" + bucket);
            services += ids.size();
            largest = Math.max(largest, listingBytes(ids));
        }

        assertThat(buckets).hasSize(256);
        assertThat(services).isEqualTo(SERVICES);
        assertThat(largest).as("bytes of the largest listing").isLessThan(64 * 1024);
        assertThat(listingBytes(ids())).as("one flat listing of every id").isGreaterThan(1024 * 1024);
    }

    @Test
    void theSameIdsInOneFlatNodeCannotBeListedUnderTheDefaultLimit() throws Exception {
        CuratorFramework client = ZK.curator();
        client.create().creatingParentsIfNeeded().forPath("/flat/services");
        write(client, ids(), id -> "/flat/services/" + id, id -> new byte[0]);

        try (CuratorFramework noRetries = CuratorFrameworkFactory.newClient(ZK.connectString(), 10_000, 5_000, new RetryNTimes(0, 0))) {
            noRetries.start();
            assertThatThrownBy(() -> noRetries.getChildren().forPath("/flat/services"))
                    .isInstanceOf(KeeperException.ConnectionLossException.class);
        }
    }

    @Test
    void theCatalogWatchAndTheStoreReadAllFiftyThousand() throws Exception {
        SnapshotSource source = new SnapshotSource(new DiscoveryGuard(0.5, 4, 60_000));
        CatalogWatcher watcher = new CatalogWatcher(ZK.curator(), LAYOUT, CatalogStore::parseService, source);
        watcher.start();
        source.discoveryRead();
        try {
            assertThat(source.awaitComplete(120, TimeUnit.SECONDS)).as("the first snapshot within 120 s").isTrue();
            CatalogSnapshot snapshot = source.current();
            assertThat(snapshot.services()).hasSize(SERVICES);
            assertThat(source.refusedCatalogNodes()).isEmpty();
            assertThat(snapshot.services().get(id(4_242)).definition().basePath()).isEqualTo("/" + id(4_242));
        } finally {
            watcher.stop();
            source.stop();
        }
        CatalogStore store = new CatalogStore(ZK.curator(), LAYOUT);
        ServiceListing listing = store.services();
        assertThat(listing.services()).hasSize(SERVICES);
        assertThat(listing.services().get(0).id()).isEqualTo(id(0));
        assertThat(store.service(id(49_999))).isPresent();
    }

    private static void write(CuratorFramework client, List<String> ids, java.util.function.Function<String, String> path,
                              java.util.function.Function<String, byte[]> data) throws Exception {
        List<CuratorOp> ops = new ArrayList<>();
        for (String id : ids) {
            ops.add(client.transactionOp().create().forPath(path.apply(id), data.apply(id)));
            if (ops.size() == 1_000) {
                client.transaction().forOperations(ops);
                ops.clear();
            }
        }
        if (!ops.isEmpty()) {
            client.transaction().forOperations(ops);
        }
    }

    private static List<String> bucketsOf(List<String> ids) {
        TreeMap<String, Boolean> buckets = new TreeMap<>();
        ids.forEach(id -> buckets.put(LAYOUT.serviceBucket(id), true));
        return new ArrayList<>(buckets.keySet());
    }

    /** What a getChildren response carries per name: a 4-byte length and the UTF-8 bytes. */
    private static int listingBytes(List<String> names) {
        return names.stream().mapToInt(name -> 4 + name.getBytes(StandardCharsets.UTF_8).length).sum();
    }

    private static List<String> ids() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < SERVICES; i++) {
            ids.add(id(i));
        }
        return ids;
    }

    private static String id(int i) {
        return String.format("payments-checkout-api-%05d", i);
    }

    private static ServiceRecord record(String id) {
        return new ServiceRecord(new ServiceDefinition(id, List.of("payments"), "/" + id, List.of("edge"), Map.of(), id), List.of(), "test", 0);
    }
}
