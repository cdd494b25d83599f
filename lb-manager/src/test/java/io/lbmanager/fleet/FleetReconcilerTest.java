package io.lbmanager.fleet;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.lbmanager.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/** The keep-N policy alone, over an in-memory backend; DockerFleetIT runs it against real containers. */
class FleetReconcilerTest {

    private static final class InMemoryBackend implements TaskRunner {
        final List<NginxTask> tasks = new java.util.concurrent.CopyOnWriteArrayList<>();
        int started;

        @Override
        public List<NginxTask> tasks(String group) {
            return tasks.stream().filter(task -> task.group().equals(group)).toList();
        }

        @Override
        public NginxTask startTask(String group) {
            NginxTask task = new NginxTask(group + "-" + ++started, group, "127.0.0.1", 1000 + started, 2000 + started,
                    "img", true);
            tasks.add(task);
            return task;
        }

        @Override
        public void stopTask(String taskId) {
            tasks.removeIf(task -> task.taskId().equals(taskId));
        }

        void die(String taskId) {
            tasks.replaceAll(task -> task.taskId().equals(taskId)
                    ? new NginxTask(task.taskId(), task.group(), task.host(), task.trafficPort(), task.adminPort(), task.image(), false)
                    : task);
        }
    }

    @Test
    void scaleStartsMissingTasksAndStopsExtraOnes() {
        InMemoryBackend backend = new InMemoryBackend();
        try (FleetReconciler reconciler = new FleetReconciler(backend)) {
            assertThat(reconciler.scale("edge", 3).started()).containsExactly("edge-1", "edge-2", "edge-3");
            assertThat(reconciler.scale("edge", 1).stopped()).hasSize(2);
            assertThat(backend.tasks("edge")).hasSize(1);
            assertThat(reconciler.reconcile("edge").isEmpty()).isTrue();
        }
    }

    @Test
    void deadTaskIsRemovedAndReplaced() {
        InMemoryBackend backend = new InMemoryBackend();
        try (FleetReconciler reconciler = new FleetReconciler(backend)) {
            reconciler.scale("edge", 2);
            backend.die("edge-1");

            FleetReconciler.GroupChanges changes = reconciler.reconcile("edge");

            assertThat(changes.removedDead()).containsExactly("edge-1");
            assertThat(changes.started()).containsExactly("edge-3");
            assertThat(backend.tasks("edge")).extracting(NginxTask::taskId).containsExactlyInAnyOrder("edge-2", "edge-3");
        }
    }

    @Test
    void configuredCountsAreReachedOnStart() throws Exception {
        InMemoryBackend backend = new InMemoryBackend();
        FleetReconciler reconciler = new FleetReconciler(backend, java.util.Map.of("edge", 2, "internal", 1));
        try {
            reconciler.start();
            await("3 tasks started", java.time.Duration.ofSeconds(5), () -> backend.tasks.size() >= 3);
        } finally {
            reconciler.stop();
        }
        assertThat(backend.tasks("edge")).hasSize(2);
        assertThat(backend.tasks("internal")).hasSize(1);
    }

    @Test
    void otherGroupsAreLeftAlone() {
        InMemoryBackend backend = new InMemoryBackend();
        backend.startTask("internal");
        try (FleetReconciler reconciler = new FleetReconciler(backend)) {
            reconciler.scale("edge", 1);
            assertThat(backend.tasks("internal")).hasSize(1);
        }
    }
}
