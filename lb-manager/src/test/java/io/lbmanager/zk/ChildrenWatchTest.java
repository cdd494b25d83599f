package io.lbmanager.zk;

import io.lbmanager.testsupport.ZooKeeperExtension;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.retry.RetryNTimes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.lbmanager.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Following a node's children with one read per child, through changes, a server restart and a new session. */
class ChildrenWatchTest {

    private static final String PARENT = "/lb-manager/groups/edge/peers";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final ZooKeeperExtension zk = ZooKeeperExtension.perTest();
    private CuratorFramework writer;
    private CuratorFramework watcherClient;
    private final Map<String, String> seen = new ConcurrentHashMap<>();
    private final List<String> reports = new CopyOnWriteArrayList<>();
    private TreeWatch watch;

    @BeforeEach
    void clients() throws Exception {
        writer = zk.curator();
        watcherClient = CuratorFrameworkFactory.newClient(zk.connectString(), 10_000, 2_000, new RetryNTimes(100, 200));
        watcherClient.start();
        assertThat(watcherClient.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
    }

    @AfterEach
    void close() {
        if (watch != null) {
            watch.close();
        }
        watcherClient.close();
    }

    private TreeWatch follow() {
        watch = TreeWatch.children(watcherClient, PARENT, new TreeWatch.Events() {
            @Override
            public void nodeChanged(ChildData node) {
                String name = node.getPath().substring(PARENT.length() + 1);
                seen.put(name, new String(node.getData(), StandardCharsets.UTF_8));
                reports.add("changed " + name);
            }

            @Override
            public void nodeDeleted(ChildData node) {
                String name = node.getPath().substring(PARENT.length() + 1);
                seen.remove(name);
                reports.add("deleted " + name);
            }

            @Override
            public void initialized() {
                reports.add("initialized");
            }
        }).start();
        return watch;
    }

    private void put(String child, String data) throws Exception {
        String path = PARENT + "/" + child;
        if (writer.checkExists().forPath(path) == null) {
            writer.create().creatingParentsIfNeeded().forPath(path, data.getBytes(StandardCharsets.UTF_8));
        } else {
            writer.setData().forPath(path, data.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void everyChildIsReportedOnceBeforeInitializedThenChangesAndDeletionsFollowAndGrandchildrenAreIgnored() throws Exception {
        for (int i = 0; i < 300; i++) {
            put("svc-" + i, "list " + i);
        }

        follow();

        assertThat(watch.awaitInitialized(20, TimeUnit.SECONDS)).isTrue();
        assertThat(reports).hasSize(301).endsWith("initialized");
        assertThat(seen).hasSize(300).containsEntry("svc-7", "list 7");

        put("svc-7", "moved");
        put("svc-300", "new");
        writer.delete().forPath(PARENT + "/svc-8");
        writer.create().forPath(PARENT + "/svc-9/deeper", "not a list".getBytes(StandardCharsets.UTF_8));
        await("changes followed", WAIT, () -> "moved".equals(seen.get("svc-7")) && "new".equals(seen.get("svc-300"))
                && !seen.containsKey("svc-8"));
        put("svc-1", "last"); // ordered after the grandchild: once it is seen, the grandchild was passed over
        await("last change", WAIT, () -> "last".equals(seen.get("svc-1")));
        assertThat(seen).doesNotContainKey("svc-9/deeper").containsEntry("svc-9", "list 9");
        assertThat(reports).hasSize(301 + 4);
    }

    @Test
    void aParentCreatedLaterIsFollowedFromItsFirstChild() throws Exception {
        follow();
        assertThat(watch.awaitInitialized(20, TimeUnit.SECONDS)).as("initialized without the parent").isTrue();

        put("shop", "one");

        await("first child", WAIT, () -> "one".equals(seen.get("shop")));
    }

    @Test
    void afterAServerRestartNothingIsReportedTwiceAndChangesAreFollowed() throws Exception {
        put("shop", "one");
        put("cart", "one");
        follow();
        assertThat(watch.awaitInitialized(20, TimeUnit.SECONDS)).isTrue();
        int before = reports.size();

        zk.stop();
        Thread.sleep(500);
        zk.restart();
        await("reconnected", WAIT, () -> watcherClient.getZookeeperClient().isConnected());
        put("shop", "two");

        await("change after restart", WAIT, () -> "two".equals(seen.get("shop")));
        assertThat(reports.subList(before, reports.size())).as("reported after the restart").containsExactly("changed shop");
    }

    @Test
    void aNewSessionReadsEverythingAgainAndReportsWhatChangedMeanwhile() throws Exception {
        put("shop", "one");
        put("cart", "one");
        put("gone", "one");
        follow();
        assertThat(watch.awaitInitialized(20, TimeUnit.SECONDS)).isTrue();

        zk.stop();
        watcherClient.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        zk.restart();
        put("shop", "two");
        writer.delete().forPath(PARENT + "/gone");
        put("new", "one");

        await("caught up", WAIT, () -> "two".equals(seen.get("shop")) && !seen.containsKey("gone") && "one".equals(seen.get("new")));
        assertThat(seen).containsOnlyKeys("shop", "cart", "new");
    }
}
