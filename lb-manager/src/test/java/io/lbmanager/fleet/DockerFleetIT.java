package io.lbmanager.fleet;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.lbmanager.contract.AgentState;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.BundlePublisher;
import io.lbmanager.testsupport.DockerSupport;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.NginxBundles;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real containers of the Nginx + agent image on the local engine, against an in-process ZooKeeper. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerFleetIT {

    private static final String GROUP = "edge";
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final ZkLayout LAYOUT = new ZkLayout("/lbm-it");

    private static DockerClient docker;
    private static String fleetName;
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static CuratorFramework client;
    private static TinyBackend backend;
    private static DockerTaskRunner fleet;
    private static FleetReconciler reconciler;
    private static PublishedVersion v1;
    private static Optional<String> whyUnusable;

    @BeforeEach
    void skipWithoutDockerOrImage() {
        DockerSupport.assumeUsable(whyUnusable);
    }

    @BeforeAll
    static void startFleet() throws Exception {
        whyUnusable = DockerSupport.whyUnusable(DockerSupport.image());
        if (whyUnusable.isPresent()) {
            return;
        }
        docker = DockerClients.local();
        fleetName = DockerSupport.uniqueFleetName("it");
        client = ZK.curator();
        backend = TinyBackend.answering("A");
        v1 = new BundlePublisher(client, LAYOUT).publish(1, NginxBundles.proxyingTo(GROUP, backend.port()));
        fleet = new DockerTaskRunner(docker, DockerSupport.image(), fleetName, ZK.connectString(), LAYOUT.root());
        reconciler = new FleetReconciler(fleet);
    }

    @AfterAll
    static void removeContainers() throws Exception {
        try {
            if (reconciler != null) {
                reconciler.close();
            }
            if (docker != null) {
                DockerSupport.removeFleet(docker, fleetName);
                docker.close();
            }
        } finally {
            if (backend != null) {
                backend.close();
            }
        }
    }

    @Test
    @Order(1)
    void twoTasksServeThePublishedVersionOnTheirOwnPorts() throws Exception {
        FleetReconciler.GroupChanges changes = reconciler.scale(GROUP, 2);

        assertThat(changes.started()).hasSize(2);
        List<NginxTask> tasks = fleet.tasks(GROUP);
        assertThat(tasks).hasSize(2).allMatch(NginxTask::running);
        assertThat(tasks.get(0).trafficPort()).isNotEqualTo(tasks.get(1).trafficPort());
        for (NginxTask task : tasks) {
            awaitServingV1(task);
        }
    }

    @Test
    @Order(2)
    void aTaskThatDiesIsReplacedByOneServingTheCurrentVersion() throws Exception {
        NginxTask victim = fleet.tasks(GROUP).get(0);
        docker.killContainerCmd(victim.taskId()).exec();
        reconciler.start(Duration.ofSeconds(1));

        Await.await("a replacement for " + victim.taskId(), STARTUP, () -> {
            List<NginxTask> now = fleet.tasks(GROUP);
            return now.size() == 2 && now.stream().allMatch(NginxTask::running)
                    && now.stream().noneMatch(task -> task.taskId().equals(victim.taskId()));
        });
        reconciler.close();
        NginxTask replacement = fleet.tasks(GROUP).stream()
                .filter(task -> !task.taskId().equals(victim.taskId())).toList().get(0);
        for (NginxTask task : fleet.tasks(GROUP)) {
            awaitServingV1(task);
        }
        // /ready answers from Nginx itself; the status node follows once the agent has confirmed.
        Await.await("READY status node of " + replacement.taskId(), Duration.ofSeconds(20),
                () -> statusOf(replacement).filter(status -> status.state() == AgentState.READY).isPresent());
        AgentStatus status = statusOf(replacement).orElseThrow();
        assertThat(status.runningVersion()).isEqualTo(1);
        assertThat(status.runningSha256()).isEqualTo(v1.sha256());
        assertThat(status.trafficPort()).isEqualTo(replacement.trafficPort());
    }

    @Test
    @Order(3)
    void stopTaskRemovesTheContainer() {
        NginxTask task = fleet.tasks(GROUP).get(0);

        fleet.stopTask(task.taskId());

        assertThat(fleet.tasks(GROUP)).extracting(NginxTask::taskId).doesNotContain(task.taskId());
        assertThatThrownBy(() -> docker.inspectContainerCmd(task.taskId()).exec()).isInstanceOf(NotFoundException.class);
        fleet.stopTask(task.taskId()); // stopping a task that is gone is not an error
    }

    private static Optional<AgentStatus> statusOf(NginxTask task) {
        String path = LAYOUT.agent(GROUP, task.taskId());
        try {
            return Optional.of(Json.read(path, client.getData().forPath(path), AgentStatus.class));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private void awaitServingV1(NginxTask task) throws Exception {
        try {
            Await.await(task.taskId() + " ready", STARTUP, () -> Http.tryGet(task.adminPort(), "/ready").status() == 200);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + DockerSupport.logTail(docker, task.taskId()), e);
        }
        assertThat(Http.tryGet(task.trafficPort(), "/").body()).isEqualTo("A");
        assertThat(Http.tryGet(task.trafficPort(), "/_lbm/version").body()).isEqualTo("1 " + v1.sha256() + "\n");
    }
}
