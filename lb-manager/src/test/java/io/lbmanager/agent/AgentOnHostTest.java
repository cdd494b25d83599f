package io.lbmanager.agent;

import io.lbmanager.contract.AgentState;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.BundlePublisher;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.NginxBundles;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent on this host with the real nginx binary and a real in-process ZooKeeper. */
class AgentOnHostTest {

    private static final String GROUP = "edge";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path runtimeDir;

    private final ZkLayout layout = new ZkLayout("/lbm-test");
    private final List<AutoCloseable> closeLast = new ArrayList<>();
    @RegisterExtension
    final ZooKeeperExtension zk = ZooKeeperExtension.perTest();
    private CuratorFramework client;
    private BundlePublisher publisher;
    private TinyBackend backendA;
    private TinyBackend backendB;

    @BeforeEach
    void startBackends() throws Exception {
        client = zk.curator();
        publisher = new BundlePublisher(client, layout);
        backendA = TinyBackend.answering("A");
        backendB = TinyBackend.answering("B");
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable closeable : closeLast) {
            closeable.close();
        }
        backendA.close();
        backendB.close();
    }

    private HostAgent startAgent(String agentId, Path dir) throws Exception {
        HostAgent agent = HostAgent.start(zk.connectString(), layout.root(), GROUP, agentId, dir);
        closeLast.add(0, agent);
        return agent;
    }

    private static void awaitState(HostAgent agent, AgentState state, long version) throws Exception {
        Await.await("agent " + state + " at version " + version, WAIT, () -> agent.agent.status(),
                status -> status.state() == state && status.runningVersion() == version);
    }

    private AgentStatus statusInZooKeeper(String agentId) throws Exception {
        String path = layout.agent(GROUP, agentId);
        return Json.read(path, client.getData().forPath(path), AgentStatus.class);
    }

    @Test
    void servesThePublishedVersionThroughNginx() throws Exception {
        PublishedVersion v1 = publisher.publish(1, NginxBundles.proxyingTo(GROUP, backendA.port()));
        HostAgent agent = startAgent("a1", runtimeDir);

        awaitState(agent, AgentState.READY, 1);

        assertThat(Http.get(agent.trafficPort(), "/anything").body()).isEqualTo("A");
        assertThat(Http.get(agent.trafficPort(), "/_lbm/version").body()).isEqualTo("1 " + v1.sha256() + "\n");
        assertThat(Http.get(agent.adminPort(), "/health").status()).isEqualTo(200);
        assertThat(Http.get(agent.adminPort(), "/ready").status()).isEqualTo(200);
        assertThat(Http.get(agent.adminPort(), "/status").body()).contains("\"state\":\"READY\"");
        Await.await("READY in ZooKeeper", WAIT, () -> {
            try {
                return statusInZooKeeper("a1").state() == AgentState.READY;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(statusInZooKeeper("a1").runningSha256()).isEqualTo(v1.sha256());
        assertThat(Files.readSymbolicLink(runtimeDir.resolve("live")).toString())
                .isEqualTo("versions/1-" + v1.sha256().substring(0, 8));
        assertThat(runtimeDir.resolve("live/lbm-agent.conf")).exists();
    }

    @Test
    void switchesToANewVersionWithoutAFailedRequest() throws Exception {
        publisher.publish(1, NginxBundles.proxyingTo(GROUP, backendA.port()));
        HostAgent agent = startAgent("a1", runtimeDir);
        awaitState(agent, AgentState.READY, 1);

        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger requests = new AtomicInteger();
        Set<String> failures = ConcurrentHashMap.newKeySet();
        Set<String> bodies = ConcurrentHashMap.newKeySet();
        Thread load = new Thread(() -> {
            while (loading.get()) {
                Http.Response response = Http.tryGet(agent.trafficPort(), "/");
                requests.incrementAndGet();
                if (response.status() == 200) {
                    bodies.add(response.body());
                } else {
                    failures.add(response.status() + " " + response.body());
                }
            }
        });
        load.start();
        try {
            Await.await("10 requests before the switch", Duration.ofSeconds(20), () -> requests.get() >= 10);
            publisher.publish(2, NginxBundles.proxyingTo(GROUP, backendB.port()));
            awaitState(agent, AgentState.READY, 2);
            int atSwitch = requests.get();
            Await.await("20 requests after the switch", Duration.ofSeconds(20), () -> requests.get() >= atSwitch + 20);
        } finally {
            loading.set(false);
            load.join();
        }

        assertThat(failures).isEmpty();
        assertThat(requests.get()).isGreaterThan(20);
        assertThat(bodies).containsExactlyInAnyOrder("A", "B");
        assertThat(Http.get(agent.trafficPort(), "/").body()).isEqualTo("B");
    }

    @Test
    void keepsTheNewestVersionDirectoriesWhoseUnchangedFilesAreSharedWithTheLiveOne() throws Exception {
        HostAgent agent = startAgent("a1", runtimeDir);
        for (int version = 1; version <= ConfigApplier.VERSIONS_KEPT + 2; version++) {
            TinyBackend backend = version % 2 == 0 ? backendB : backendA;
            publisher.publish(version, NginxBundles.proxyingTo(GROUP, backend.port()));
            awaitState(agent, AgentState.READY, version);
            assertThat(Http.get(agent.trafficPort(), "/").body()).isEqualTo(version % 2 == 0 ? "B" : "A");
        }
        Path live = runtimeDir.resolve("live").toRealPath();
        Await.await("old versions pruned", WAIT, () -> versionDirectories().size() == ConfigApplier.VERSIONS_KEPT);

        assertThat(versionDirectories()).contains(live);
        Path older = versionDirectories().stream().filter(dir -> !dir.equals(live)).max(Path::compareTo).orElseThrow();
        assertThat(Files.isSameFile(live.resolve("locations/backend.conf"), older.resolve("locations/backend.conf"))).isTrue();
        assertThat(Files.isSameFile(live.resolve("upstreams/backend.conf"), older.resolve("upstreams/backend.conf"))).isFalse();
    }

    private List<Path> versionDirectories() {
        try (var entries = Files.list(runtimeDir.resolve("versions"))) {
            return entries.map(dir -> {
                try {
                    return dir.toRealPath();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void versionThatNginxRejectsIsReportedFailedWhileTheOldOneKeepsServing() throws Exception {
        publisher.publish(1, NginxBundles.proxyingTo(GROUP, backendA.port()));
        HostAgent agent = startAgent("a1", runtimeDir);
        awaitState(agent, AgentState.READY, 1);

        publisher.publish(2, NginxBundles.rejectedByNginx(GROUP));
        awaitState(agent, AgentState.FAILED, 1);

        assertThat(agent.agent.status().error()).contains("unknown directive \"bogus_directive\"")
                .contains(runtimeDir.toRealPath().resolve("versions").toString()).contains("nginx.conf:");
        assertThat(Http.get(agent.trafficPort(), "/").body()).isEqualTo("A");
        Http.Response ready = Http.get(agent.adminPort(), "/ready");
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.body()).contains("serves version 1, target is 2");
        Await.await("FAILED in ZooKeeper", WAIT, () -> {
            try {
                return statusInZooKeeper("a1").state() == AgentState.FAILED;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(statusInZooKeeper("a1").error()).contains("bogus_directive");
    }

    @Test
    void newAgentServesTheCurrentVersionBeforeItSaysReady() throws Exception {
        publisher.publish(1, NginxBundles.proxyingTo(GROUP, backendA.port()));
        PublishedVersion v2 = publisher.publish(2, NginxBundles.proxyingTo(GROUP, backendB.port()));

        HostAgent agent = startAgent("late", runtimeDir);
        Set<String> servedBeforeReady = ConcurrentHashMap.newKeySet();
        Await.await("/ready 200", WAIT, () -> {
            Http.Response served = Http.tryGet(agent.trafficPort(), "/_lbm/version");
            if (served.status() != -1) {
                servedBeforeReady.add(served.body());
            }
            return Http.tryGet(agent.adminPort(), "/ready").status() == 200;
        });

        assertThat(servedBeforeReady).allMatch(body -> body.equals("2 " + v2.sha256() + "\n"));
        assertThat(Http.get(agent.trafficPort(), "/").body()).isEqualTo("B");
        awaitState(agent, AgentState.READY, 2);
    }

    @Test
    void keepsServingWhileZooKeeperIsDownAndCatchesUpAfter() throws Exception {
        publisher.publish(1, NginxBundles.proxyingTo(GROUP, backendA.port()));
        HostAgent agent = startAgent("a1", runtimeDir);
        awaitState(agent, AgentState.READY, 1);

        zk.stop();
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < until) {
            assertThat(Http.get(agent.trafficPort(), "/").body()).isEqualTo("A");
            Thread.sleep(50);
        }
        assertThat(agent.agent.nginxAlive()).isTrue();

        zk.restart();
        publisher.publish(2, NginxBundles.proxyingTo(GROUP, backendB.port()));
        awaitState(agent, AgentState.READY, 2);
        assertThat(Http.get(agent.trafficPort(), "/").body()).isEqualTo("B");
        Await.await("status node READY at version 2", WAIT, () -> {
            try {
                return statusInZooKeeper("a1").runningVersion() == 2;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void restartsNginxThatDiedFromTheLiveVersion() throws Exception {
        publisher.publish(1, NginxBundles.proxyingTo(GROUP, backendA.port()));
        HostAgent agent = startAgent("a1", runtimeDir);
        awaitState(agent, AgentState.READY, 1);
        long firstPid = masterPid();

        ProcessHandle.of(firstPid).orElseThrow().destroy();

        Await.await("nginx restarted", WAIT, () -> {
            try {
                long pid = masterPid();
                return pid != firstPid && Http.tryGet(agent.trafficPort(), "/").body().equals("A");
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(Http.get(agent.adminPort(), "/health").status()).isEqualTo(200);
        assertThat(agent.agent.status().state()).isEqualTo(AgentState.READY);
    }

    @Test
    void stopsTheWorkersAMasterKilledOutrightLeftAndStartsANewOne() throws Exception {
        publisher.publish(1, NginxBundles.proxyingTo(GROUP, backendA.port()));
        HostAgent agent = startAgent("a1", runtimeDir);
        awaitState(agent, AgentState.READY, 1);
        long firstPid = masterPid();
        ProcessHandle firstMaster = ProcessHandle.of(firstPid).orElseThrow();
        List<ProcessHandle> orphans = firstMaster.children().toList();
        assertThat(orphans).isNotEmpty();

        firstMaster.destroyForcibly();

        Await.await("a new master serves and the old workers are gone", WAIT, () -> {
            try {
                long pid = masterPid();
                return pid != firstPid && orphans.stream().noneMatch(ProcessHandle::isAlive)
                        && Http.tryGet(agent.trafficPort(), "/").body().equals("A");
            } catch (Exception e) {
                return false;
            }
        });
        long newPid = masterPid();
        assertThat(ProcessHandle.of(newPid).orElseThrow().children().count()).isPositive();
        assertThat(agent.agent.status().state()).isEqualTo(AgentState.READY);
    }

    @Test
    void aFirstStartThatFailsBecauseItsPortIsTakenIsTriedAgainUntilItServes() throws Exception {
        HostAgent agent = startAgent("a1", runtimeDir);
        try (ServerSocket squatter = new ServerSocket(agent.trafficPort(), 1, InetAddress.getLoopbackAddress())) {
            publisher.publish(1, NginxBundles.proxyingTo(GROUP, backendA.port()));
            Await.await("the start failed on the taken port", WAIT,
                    () -> agent.agent.status().state() == AgentState.FAILED
                            && agent.agent.status().error().contains("bind()"));
        }

        awaitState(agent, AgentState.READY, 1);
        assertThat(Http.get(agent.trafficPort(), "/").body()).isEqualTo("A");
    }

    private long masterPid() throws IOException {
        return Long.parseLong(Files.readString(runtimeDir.resolve("run/nginx.pid")).strip());
    }
}
