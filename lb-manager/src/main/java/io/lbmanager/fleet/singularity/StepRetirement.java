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
import java.util.stream.Stream;

/**
 * Retires the previous deploy's tasks step by step during a deploy whose steps the policy advances.
 * Singularity 1.5.0 starts a step's new tasks on {@code POST /api/deploys/update} but retires old
 * ones only at the steps it accepts by itself (TIMED acceptance) or all at once when the deploy
 * succeeds: the fleet would grow to old + new. Its scheduler, though, wants only
 * {@code instances - currentActiveInstances} tasks of the active deploy while a canary deploy is
 * pending, so old tasks killed down to that number are not replaced. Before each step this kills
 * ({@code DELETE /api/tasks/task/{id}}, Singularity's own cleanup) the old tasks beyond it, lowest
 * instance number first, and waits (up to 30 s) until Singularity has killed them: running
 * tasks stay between {@code instances} and {@code instances + step size}.
 */
final class StepRetirement {

    private static final Logger LOG = LoggerFactory.getLogger(StepRetirement.class);
    private static final Duration RETIRE_TIMEOUT = Duration.ofSeconds(30);

    private final SingularityHttp http;

    StepRetirement(SingularityHttp http) {
        this.http = http;
    }

    /** Kills old tasks of {@code requestId} beyond what the pending deploy {@code deployId} leaves them; returns how many. */
    int retireReplaced(String requestId, String deployId, RequestParent parent) {
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
        List<TaskId> killed = new ArrayList<>();
        for (TaskId task : old.subList(0, Math.max(old.size() - keepOld, 0))) {
            try {
                http.delete("/tasks/task/" + task.id());
                killed.add(task);
                LOG.info("fleet=singularity request={} deploy={} task={} state=RETIRING keepOld={}", requestId, deployId,
                        task.id(), keepOld);
            } catch (SingularityException e) {
                if (e.status() != 404) {
                    throw e;
                }
                // 404: gone already
            }
        }
        awaitGone(requestId, killed);
        return killed.size();
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
