package io.lbmanager.fleet.singularity;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.fleet.singularity.SingularityModel.RequestParent;
import io.lbmanager.fleet.singularity.SingularityModel.TaskId;
import io.lbmanager.fleet.singularity.SingularityModel.TaskIdsByStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Retires the previous deploy's tasks step by step during a deploy whose steps the policy advances.
 * Singularity 1.5.0 starts a step's new tasks on {@code POST /api/deploys/update} but retires old
 * ones only at the steps it accepts by itself (TIMED acceptance) or all at once when the deploy
 * succeeds: the fleet would grow to old + new. Its scheduler, though, wants only
 * {@code instances - currentActiveInstances} tasks of the active deploy while a canary deploy is
 * pending, so old tasks killed down to that number are not replaced. Before each step this drains
 * the old tasks beyond it, lowest instance number first (they leave {@link SingularityFleet#tasks}
 * for the drain time, so whatever sends traffic by that list stops first: Singularity kills a
 * task a few hundred milliseconds after the {@code DELETE}, sooner than an upstream re-reads its
 * list), then kills them ({@code DELETE /api/tasks/task/{id}}, Singularity's own cleanup) and waits
 * (up to 30 s) until Singularity has killed them: running tasks stay between {@code instances}
 * and {@code instances + step size}.
 */
final class StepRetirement {

    private static final Logger LOG = LoggerFactory.getLogger(StepRetirement.class);
    private static final Duration RETIRE_TIMEOUT = Duration.ofSeconds(30);

    private final SingularityHttp http;
    private final Duration drain;
    private final Map<String, String> draining;

    /** @param draining where the tasks being drained are listed, task id to request id (left out of the fleet's task list) */
    StepRetirement(SingularityHttp http, Duration drain, Map<String, String> draining) {
        this.http = http;
        this.drain = drain;
        this.draining = draining;
    }

    /** Kills old tasks of {@code requestId} beyond what the pending deploy {@code deployId} leaves them; returns how many. */
    int retireReplaced(String requestId, String deployId, RequestParent parent) {
        return retireReplaced(requestId, deployId, parent, () -> true);
    }

    /**
     * The same, running {@code beforeDrain} first when there is a task to retire; when it answers false
     * nothing is retired.
     */
    int retireReplaced(String requestId, String deployId, RequestParent parent, BooleanSupplier beforeDrain) {
        if (parent.request() == null || parent.pendingDeployState() == null
                || parent.pendingDeployState().deployProgress() == null) {
            return 0;
        }
        int instances = parent.request().instances() == null ? 1 : parent.request().instances();
        int keepOld = Math.max(instances - parent.pendingDeployState().deployProgress().currentActiveInstances(), 0);
        TaskIdsByStatus ids = http.get("/tasks/ids/request/" + requestId, TaskIdsByStatus.class)
                .orElse(new TaskIdsByStatus(List.of(), List.of(), List.of()));
        List<TaskId> old = Stream.concat(listOf(ids.healthy()).stream(), listOf(ids.notYetHealthy()).stream())
                .filter(task -> !deployId.equals(task.deployId()))
                .sorted(Comparator.comparing((TaskId task) -> task.instanceNo() == null ? 0 : task.instanceNo())
                        .thenComparing(TaskId::id))
                .toList();
        List<TaskId> replaced = old.subList(0, Math.max(old.size() - keepOld, 0));
        if (replaced.isEmpty() || !beforeDrain.getAsBoolean() || !drainFirst(requestId, deployId, replaced)) {
            return 0;
        }
        List<TaskId> killed = new ArrayList<>();
        for (TaskId task : replaced) {
            try {
                http.delete("/tasks/task/" + task.id());
                killed.add(task);
                LOG.info("fleet=singularity request={} deploy={} task={} state=RETIRING keepOld={}", requestId, deployId,
                        task.id(), keepOld);
            } catch (SingularityException e) {
                if (e.status() != 404) {
                    replaced.forEach(notKilled -> draining.remove(notKilled.id()));
                    throw e;
                }
                // 404: gone already
            }
        }
        awaitGone(requestId, killed);
        return killed.size();
    }

    /**
     * Leaves the tasks out of the task list, then waits the drain time once for all of them (not again for
     * tasks already draining); false when interrupted, with the tasks back in the list and none killed.
     */
    private boolean drainFirst(String requestId, String deployId, List<TaskId> tasks) {
        List<TaskId> fresh = tasks.stream().filter(task -> draining.putIfAbsent(task.id(), requestId) == null).toList();
        fresh.forEach(task -> LOG.info("fleet=singularity request={} deploy={} task={} state=DRAINING drainMillis={}",
                requestId, deployId, task.id(), drain.toMillis()));
        if (fresh.isEmpty() || drain.isZero()) {
            return true;
        }
        try {
            Thread.sleep(drain.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fresh.forEach(task -> draining.remove(task.id()));
            return false;
        }
    }

    /** Waits until Singularity lists none of them any more (killed, not only cleaning), so no step overlaps a kill. */
    private void awaitGone(String requestId, List<TaskId> retired) {
        long deadline = System.nanoTime() + RETIRE_TIMEOUT.toNanos();
        while (!retired.isEmpty() && System.nanoTime() < deadline) {
            String listed = http.get("/tasks/ids/request/" + requestId, JsonNode.class).map(JsonNode::toString).orElse("");
            if (retired.stream().noneMatch(task -> listed.contains("\"" + task.id() + "\""))) {
                return;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!retired.isEmpty()) {
            LOG.warn("fleet=singularity request={} retired tasks still listed after {} s; the next step starts anyway",
                    requestId, RETIRE_TIMEOUT.toSeconds());
        }
    }

    private static <T> List<T> listOf(List<T> list) {
        return list == null ? List.of() : list;
    }
}
