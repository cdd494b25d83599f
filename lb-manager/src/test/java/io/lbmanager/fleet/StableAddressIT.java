package io.lbmanager.fleet;

import com.github.dockerjava.api.DockerClient;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.BundlePublisher;
import io.lbmanager.testsupport.DockerSupport;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.Load;
import io.lbmanager.testsupport.NginxBundles;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.zk.ZkNodes;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A group with stable traffic ports on the local engine: a killed Nginx container is replaced on
 * the same address, the replacement answers only once it serves the current version, and the
 * surviving Nginx carries its load without a failure meanwhile.
 */
class StableAddressIT {

    private static final String GROUP = "edge";
    private static final ZkLayout LAYOUT = new ZkLayout("/lbm-stable");

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();

    private final Optional<String> whyUnusable = DockerSupport.whyUnusable(DockerSupport.image());
    private final String fleetName = DockerSupport.uniqueFleetName("stable");
    private DockerClient docker;
    private DockerFleetBackend fleet;
    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @AfterEach
    void removeContainers() throws Exception {
        if (fleet != null) {
            fleet.close();
        }
        for (AutoCloseable closeable : closeLater) {
            closeable.close();
        }
        if (docker != null) {
            DockerSupport.removeFleet(docker, fleetName);
            docker.close();
        }
    }

    @Test
    void aKilledNginxComesBackOnItsAddressServingTheCurrentVersionWhileTheOtherServesEverything() throws Exception {
        DockerSupport.assumeUsable(whyUnusable);
        CuratorFramework client = ZK.curator();
        TinyBackend old = TinyBackend.answering("old");
        TinyBackend current = TinyBackend.answering("current");
        closeLater.add(old);
        closeLater.add(current);
        BundlePublisher publisher = new BundlePublisher(client, LAYOUT);
        publisher.publish(1, NginxBundles.proxyingTo(GROUP, old.port()));
        int first = Http.freePort();
        int second = Http.freePort();
        docker = DockerClients.local();
        DockerTaskRunner runner = new DockerTaskRunner(docker, DockerSupport.image(), fleetName, ZK.connectString(), LAYOUT.root(),
                Map.of(), new StablePorts(Map.of(GROUP, List.of(first, second))));
        fleet = new DockerFleetBackend(runner, new ZkNodes(client), LAYOUT, Map.of(GROUP, 2), Duration.ofMillis(500));
        TaskProbes probes = new TaskProbes(Duration.ofSeconds(1));

        fleet.reconcile(GROUP);
        Await.await("two ready Nginx on the stable ports", Duration.ofSeconds(120), () -> {
            List<NginxTask> tasks = fleet.tasks(GROUP);
            return tasks.size() == 2 && tasks.stream().allMatch(probes::ready);
        });
        assertThat(fleet.tasks(GROUP)).extracting(NginxTask::trafficPort).containsExactlyInAnyOrder(first, second);
        publisher.publish(2, NginxBundles.proxyingTo(GROUP, current.port()));
        Await.await("both Nginx serving only version 2", Duration.ofSeconds(60), () -> onlyAnswer(first, "current")
                && onlyAnswer(second, "current"));

        NginxTask victim = fleet.tasks(GROUP).stream().filter(task -> task.trafficPort() == second).findFirst().orElseThrow();
        fleet.checkingEvery(Duration.ofMillis(500)).start();
        VictimPortWatch watch = new VictimPortWatch(second);
        try (Load survivor = Load.toPorts(() -> List.of(first)).expectBody("current").senders(2).everyMillis(5)
                .maxRequests(40_000).maxTime(Duration.ofSeconds(150)).start()) {
            watch.start();
            long killedAt = System.nanoTime();
            docker.killContainerCmd(victim.taskId()).exec();
            Await.await("a replacement of " + victim.taskId() + " ready on port " + second, Duration.ofSeconds(120), () ->
                    fleet.tasks(GROUP).stream().anyMatch(task -> !task.taskId().equals(victim.taskId())
                            && task.trafficPort() == second && probes.ready(task)));
            Duration toReady = Duration.ofNanos(System.nanoTime() - killedAt);
            Await.await("200 answers through the replacement after the kill", Duration.ofSeconds(10), () -> watch.served.get() >= 50);
            System.out.printf("FAULT-MATRIX | Kill an Nginx container | failed through the survivor: %d of %d | replacement ready "
                            + "on port %d %.1f s after the kill | requests refused on that port meanwhile: %d%n",
                    survivor.failed(), survivor.sent(), second, toReady.toMillis() / 1000.0, watch.refusedAfterKill.get());
            watch.stop();
            survivor.stop();
            assertThat(survivor.sent()).isPositive();
            assertThat(survivor.failed()).as("failed requests through the surviving Nginx: %s", survivor.firstFailures()).isZero();
        }
        assertThat(watch.refusedAfterKill.get()).as("the killed Nginx's port was down for a while").isPositive();
        assertThat(watch.wrongAnswers).as("answers on the stable port that were not the current version").isEmpty();
        assertThat(fleet.tasks(GROUP)).extracting(NginxTask::trafficPort).containsExactlyInAnyOrder(first, second);
        Set<String> ids = fleet.tasks(GROUP).stream().map(NginxTask::taskId).collect(Collectors.toSet());
        assertThat(ids).doesNotContain(victim.taskId());
    }

    /** 50 answers in a row are this body (the previous version's workers have all gone). */
    private static boolean onlyAnswer(int port, String body) {
        for (int i = 0; i < 50; i++) {
            if (!body.equals(Http.tryGet(port, "/").body())) {
                return false;
            }
        }
        return true;
    }

    /** Requests to the killed Nginx's port: refused while nothing listens, then only the current version's answer is right. */
    private static final class VictimPortWatch {
        private final int port;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger served = new AtomicInteger();
        private final AtomicInteger refusedAfterKill = new AtomicInteger();
        private final List<String> wrongAnswers = new java.util.concurrent.CopyOnWriteArrayList<>();
        private Thread thread;

        VictimPortWatch(int port) {
            this.port = port;
        }

        void start() {
            thread = new Thread(() -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
                for (int i = 0; i < 50_000 && running.get() && System.nanoTime() < deadline; i++) {
                    Http.Response response = Http.tryGet(port, "/");
                    if (response.status() == -1) {
                        refusedAfterKill.incrementAndGet();
                        sleep(10);
                    } else if (response.status() == 200 && response.body().equals("current")) {
                        if (refusedAfterKill.get() > 0) {
                            served.incrementAndGet();
                        }
                    } else if (wrongAnswers.size() < 20) {
                        wrongAnswers.add(response.status() + " " + response.body());
                    }
                }
            }, "victim-port-watch");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(15_000);
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
