package io.lbmanager.fleet.singularity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lbmanager.fleet.FleetBackend;
import io.lbmanager.fleet.GenerationProgress;
import io.lbmanager.fleet.GenerationSpec;
import io.lbmanager.fleet.GroupDeployment;
import io.lbmanager.fleet.NginxTask;
import io.lbmanager.fleet.StablePorts;
import io.lbmanager.fleet.TaskFailure;
import io.lbmanager.fleet.singularity.SingularityHttp.Retry;
import io.lbmanager.fleet.singularity.SingularityModel.DeployHistory;
import io.lbmanager.fleet.singularity.SingularityModel.DeployRequest;
import io.lbmanager.fleet.singularity.SingularityModel.RequestParent;
import io.lbmanager.fleet.singularity.SingularityModel.Task;
import io.lbmanager.fleet.singularity.SingularityModel.TaskId;
import io.lbmanager.fleet.singularity.SingularityModel.TaskIdsByStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * {@link FleetBackend} on Mesos through Singularity 1.5.0: each LB group is one SERVICE request
 * ({@code requestPrefix + group}); a generation is a deploy. A new generation copies the active
 * deploy (everything the operator set in singularity-deploys/ survives), with the new image, a new
 * id, and canaryDeploySettings (TIMED acceptance, instanceGroupSize = step size,
 * waitMillisBetweenGroups = the step's hold) whose steps the policy advances with
 * {@code POST /api/deploys/update}, retiring the old tasks the previous step replaced first
 * ({@link StepRetirement}). Singularity replaces dead tasks and keeps the previous deploy
 * active when a deploy fails or is cancelled. The fleet's tasks, with host and ports, are
 * discovered through Singularity.
 */
public final class SingularityFleet implements FleetBackend {

    private static final Logger LOG = LoggerFactory.getLogger(SingularityFleet.class);
    private static final int TRAFFIC_PORT_INDEX = 0;
    private static final int ADMIN_PORT_INDEX = 1;
    /** {@code fleet.drainMillis}'s default. */
    static final Duration DEFAULT_DRAIN = Duration.ofSeconds(2);
    /** Mesos states of a task that ended badly (not finished, not killed by Singularity's own cleanup). */
    private static final Set<String> FAILED_TASK_STATES = Set.of("TASK_FAILED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_GONE");

    private final SingularityHttp http;
    private final String requestPrefix;
    private final Map<String, NginxTask> taskCache = new ConcurrentHashMap<>();
    private final Map<String, String> agentEnv;
    private final SingularityTaskPostMortem postMortem;
    private final Map<String, String> failedReasons = new ConcurrentHashMap<>();
    /** Task id to request id of the old tasks an upgrade is draining. */
    private final Map<String, String> draining = new ConcurrentHashMap<>();
    private final StepRetirement retirement;
    private final StablePorts stablePorts;

    public SingularityFleet(SingularityHttp http, String requestPrefix) {
        this(http, requestPrefix, Map.of());
    }

    /** @param agentEnv set in every deploy this fleet posts (the agents' ZooKeeper credentials and signing key) */
    public SingularityFleet(SingularityHttp http, String requestPrefix, Map<String, String> agentEnv) {
        this(http, requestPrefix, agentEnv, StablePorts.NONE);
    }

    /**
     * @param stablePorts groups whose tasks listen on one fixed port on every host ({@link StableTrafficPort#ENV} in
     *                    each deploy posted; the group's request must place one task per host)
     */
    public SingularityFleet(SingularityHttp http, String requestPrefix, Map<String, String> agentEnv, StablePorts stablePorts) {
        this(http, requestPrefix, agentEnv, stablePorts, DEFAULT_DRAIN);
    }

    /** @param drain how long an old task the upgrade retires is left out of {@link #tasks} before it is killed */
    public SingularityFleet(SingularityHttp http, String requestPrefix, Map<String, String> agentEnv, StablePorts stablePorts,
                            Duration drain) {
        stablePorts.requireOnePortPerGroup();
        this.stablePorts = stablePorts;
        this.http = http;
        this.requestPrefix = requestPrefix;
        this.agentEnv = Map.copyOf(agentEnv);
        this.postMortem = new SingularityTaskPostMortem(http);
        this.retirement = new StepRetirement(http, drain, draining);
    }

    @Override
    public String kind() {
        return "singularity";
    }

    /** The Singularity request id of a group. */
    public String requestId(String group) {
        return requestPrefix + group;
    }

    /** Creates or updates the group's request ({@code POST /api/requests}); the same body twice is harmless. */
    public void submitRequest(SingularityModel.Request request) {
        http.post("/requests", request, JsonNode.class, Retry.IDEMPOTENT);
    }

    /** Posts a whole deploy (the first one of a group, from singularity-deploys/). */
    public void submitDeploy(ObjectNode deploy, String message) {
        http.post("/deploys", new DeployRequest(deploy, message), JsonNode.class, Retry.ONCE);
    }

    @Override
    public GroupDeployment deployment(String group) {
        RequestParent parent = requestParent(group);
        int instances = parent.request() == null || parent.request().instances() == null ? 1 : parent.request().instances();
        return new GroupDeployment(group, parent.activeDeploy() == null ? "" : imageOf(parent.activeDeploy()), instances,
                pendingDeployId(parent));
    }

    /** Singularity's healthy and not-yet-healthy tasks of the group, less the old ones an upgrade is draining. */
    @Override
    public List<NginxTask> tasks(String group) {
        TaskIdsByStatus ids = http.get("/tasks/ids/request/" + requestId(group), TaskIdsByStatus.class)
                .orElse(new TaskIdsByStatus(List.of(), List.of(), List.of()));
        List<NginxTask> tasks = new ArrayList<>();
        List<TaskId> listed = Stream.concat(listOf(ids.healthy()).stream(), listOf(ids.notYetHealthy()).stream()).toList();
        draining.entrySet().removeIf(entry -> entry.getValue().equals(requestId(group))
                && listed.stream().noneMatch(task -> task.id().equals(entry.getKey())));
        for (TaskId id : listed) {
            if (draining.containsKey(id.id())) {
                continue;
            }
            NginxTask task = taskCache.get(id.id());
            if (task == null) {
                Optional<Task> details = http.get("/tasks/task/" + id.id(), Task.class);
                if (details.isEmpty()) {
                    continue;
                }
                task = toNginxTask(group, details.get());
                taskCache.put(id.id(), task);
            }
            tasks.add(task);
        }
        taskCache.keySet().retainAll(tasks.stream().map(NginxTask::taskId).toList());
        return tasks;
    }

    @Override
    public void startGeneration(String group, GenerationSpec spec) {
        RequestParent parent = requestParent(group);
        if (parent.activeDeploy() == null) {
            throw new IllegalStateException("Singularity request " + requestId(group)
                    + " has no active deploy; post the group's files from singularity-deploys/ first");
        }
        pendingDeployId(parent).ifPresent(pending -> {
            throw new IllegalStateException("Singularity request " + requestId(group) + " has deploy " + pending + " pending");
        });
        int instances = parent.request().instances() == null ? 1 : parent.request().instances();
        ObjectNode deploy = nextDeploy(parent.activeDeploy(), spec, instances, agentEnv);
        if (stablePorts.has(group)) {
            StableTrafficPort.requireOnePerHost(requestId(group), parent.request().agentPlacement());
            deploy.withObject("env").put(StableTrafficPort.ENV, Integer.toString(stablePorts.of(group).get(0)));
        }
        http.post("/deploys", new DeployRequest(deploy, spec.message()), JsonNode.class, Retry.ONCE);
        LOG.info("fleet=singularity request={} deploy={} state=STARTED image={} groupSize={}", requestId(group), spec.id(),
                spec.image(), spec.stepSize());
    }

    /** {@link #nextDeploy(ObjectNode, GenerationSpec, int)} with the manager's agent environment set over the active deploy's. */
    static ObjectNode nextDeploy(ObjectNode active, GenerationSpec spec, int instances, Map<String, String> agentEnv) {
        ObjectNode deploy = nextDeploy(active, spec, instances);
        agentEnv.forEach(deploy.withObject("env")::put);
        return deploy;
    }

    /** The deploy a generation posts: the active one with a new id, image and rolling steps. */
    static ObjectNode nextDeploy(ObjectNode active, GenerationSpec spec, int instances) {
        ObjectNode deploy = active.deepCopy();
        deploy.put("id", spec.id());
        deploy.withObject("containerInfo").withObject("docker").put("image", spec.image());
        for (String deprecated : List.of("deployInstanceCountPerStep", "deployStepWaitTimeMs", "autoAdvanceDeploySteps",
                "maxTaskRetries")) {
            deploy.remove(deprecated);
        }
        int groups = (instances + spec.firstTarget() - 1) / spec.firstTarget();
        ObjectNode canary = deploy.putObject("canaryDeploySettings");
        canary.put("enableCanaryDeploy", true);
        canary.put("instanceGroupSize", spec.firstTarget());
        canary.put("acceptanceMode", "TIMED");
        canary.put("waitMillisBetweenGroups", spec.stepHoldMillis());
        canary.put("allowedTasksFailuresPerGroup", spec.allowedFailures());
        canary.put("canaryCycleCount", Math.max(groups, 1));
        return deploy;
    }

    @Override
    public void setGenerationTarget(String group, String generationId, int activeInstances) {
        retirement.retireReplaced(requestId(group), generationId, requestParent(group));
        http.post("/deploys/update", new SingularityModel.UpdatePendingDeploy(requestId(group), generationId, activeInstances),
                JsonNode.class, Retry.ONCE);
    }

    /**
     * Singularity kills the old tasks left at the last step itself, undrained, the moment its TIMED wait after
     * the last group ends and the deploy succeeds. Once it counts every new task active, this holds the
     * deploy (re-posting the target restarts that wait) and drains and kills them first: the deploy then
     * succeeds with no old task left to kill.
     */
    @Override
    public void retireBeforeActivation(String group, String generationId) {
        RequestParent parent = requestParent(group);
        if (pendingDeployId(parent).filter(generationId::equals).isEmpty() || parent.pendingDeployState() == null
                || parent.pendingDeployState().deployProgress() == null) {
            return;
        }
        int target = parent.pendingDeployState().deployProgress().targetActiveInstances();
        retirement.retireReplaced(requestId(group), generationId, parent, () -> {
            try {
                http.post("/deploys/update", new SingularityModel.UpdatePendingDeploy(requestId(group), generationId, target),
                        JsonNode.class, Retry.ONCE);
                return true;
            } catch (SingularityException e) {
                if (e.status() != 400 && e.status() != 404) {
                    throw e;
                }
                return false; // no longer pending: Singularity ended the deploy meanwhile
            }
        });
    }

    @Override
    public void cancelGeneration(String group, String generationId) {
        try {
            http.delete("/deploys/deploy/" + generationId + "/request/" + requestId(group));
            LOG.info("fleet=singularity request={} deploy={} state=CANCEL_REQUESTED", requestId(group), generationId);
        } catch (SingularityException e) {
            if (e.status() != 400 && e.status() != 404) {
                throw e;
            }
            // 400: not the pending deploy (any more): it already finished
        }
    }

    @Override
    public GenerationProgress progress(String group, String generationId) {
        RequestParent parent = requestParent(group);
        if (pendingDeployId(parent).filter(generationId::equals).isPresent()) {
            SingularityModel.PendingDeployState state = parent.pendingDeployState();
            return state == null || state.deployProgress() == null ? new GenerationProgress.InProgress(0, false)
                    : new GenerationProgress.InProgress(state.deployProgress().targetActiveInstances(),
                    state.deployProgress().stepLaunchComplete());
        }
        if (parent.activeDeploy() != null && generationId.equals(parent.activeDeploy().path("id").asText())) {
            return new GenerationProgress.Succeeded();
        }
        Optional<DeployHistory> history = http.get("/history/request/" + requestId(group) + "/deploy/" + generationId,
                DeployHistory.class);
        if (history.isEmpty() || history.get().deployResult() == null) {
            return new GenerationProgress.Unknown("Singularity has no result for deploy " + generationId + " yet");
        }
        SingularityModel.DeployResult result = history.get().deployResult();
        return switch (result.deployState()) {
            case "SUCCEEDED" -> new GenerationProgress.Succeeded();
            case "CANCELED" -> new GenerationProgress.Cancelled(reason(result, group, generationId));
            case "WAITING", "CANCELING" -> new GenerationProgress.InProgress(0, false);
            default -> new GenerationProgress.Failed(failedReasons.computeIfAbsent(requestId(group) + "/" + generationId,
                    key -> reason(result, group, generationId)));
        };
    }

    @Override
    public void scale(String group, int instances) {
        http.put("/requests/request/" + requestId(group) + "/scale",
                new SingularityModel.Scale(instances, "lb-manager: scale " + group + " to " + instances));
    }

    private RequestParent requestParent(String group) {
        return http.get("/requests/request/" + requestId(group), RequestParent.class)
                .orElseThrow(() -> new IllegalStateException("Singularity has no request " + requestId(group)
                        + "; create it from singularity-deploys/" + group + "/request.json"));
    }

    private static Optional<String> pendingDeployId(RequestParent parent) {
        if (parent.requestDeployState() != null && parent.requestDeployState().pendingDeploy() != null) {
            return Optional.ofNullable(parent.requestDeployState().pendingDeploy().deployId());
        }
        return Optional.ofNullable(parent.pendingDeploy()).map(deploy -> deploy.path("id").asText());
    }

    private static NginxTask toNginxTask(String group, Task task) {
        List<Long> ports = new ArrayList<>();
        if (task.mesosTask() != null && task.mesosTask().resources() != null) {
            for (SingularityModel.Resource resource : task.mesosTask().resources()) {
                if ("ports".equals(resource.name()) && resource.ranges() != null && resource.ranges().range() != null) {
                    for (SingularityModel.Range range : resource.ranges().range()) {
                        for (long port = range.begin(); port <= range.end(); port++) {
                            ports.add(port);
                        }
                    }
                }
            }
        }
        String host = task.offers() == null || task.offers().isEmpty() ? task.taskId().host() : task.offers().get(0).hostname();
        String image = task.taskRequest() == null || task.taskRequest().deploy() == null ? ""
                : imageOf(task.taskRequest().deploy());
        int trafficPort = task.taskRequest() == null ? -1 : StableTrafficPort.of(task.taskRequest().deploy()).orElse(-1);
        return new NginxTask(task.taskId().id(), group, host, trafficPort > 0 ? trafficPort : portAt(ports, TRAFFIC_PORT_INDEX),
                portAt(ports, ADMIN_PORT_INDEX), image, true, task.taskId().deployId());
    }

    private static int portAt(List<Long> ports, int index) {
        return index < ports.size() ? ports.get(index).intValue() : 0;
    }

    private static String imageOf(JsonNode deploy) {
        return deploy.path("containerInfo").path("docker").path("image").asText("");
    }

    /**
     * The deploy's state and message, and for each failed task what it was (its last status, its stderr tail).
     * Singularity leaves {@code deployFailures} empty when a task died after a healthcheck that had not failed
     * yet; its failed tasks are then read from the request's task history.
     */
    private String reason(SingularityModel.DeployResult result, String group, String generationId) {
        String reason = result.deployState() + (result.message() == null ? "" : ": " + result.message());
        long now = System.currentTimeMillis();
        Stream<String> failures = result.deployFailures() == null || result.deployFailures().isEmpty()
                ? failedTasksOf(group, generationId, now).stream()
                : result.deployFailures().stream().map(failure -> {
                    String what = failure.reason() + (failure.message() == null ? "" : ": " + failure.message());
                    return failure.taskId() == null ? what
                            : postMortem.of(failure.taskId().id(), what, now).map(TaskFailure::describe).orElse(what);
                });
        List<String> described = failures.distinct().limit(3).toList();
        return described.isEmpty() ? reason : reason + " (" + String.join("; ", described) + ")";
    }

    /** What the deploy's tasks that ended in a failure state were, from the request's task history; best effort. */
    private List<String> failedTasksOf(String group, String generationId, long now) {
        try {
            return http.get("/history/request/" + requestId(group) + "/tasks?deployId="
                            + URLEncoder.encode(generationId, StandardCharsets.UTF_8), SingularityModel.TaskIdHistory[].class)
                    .map(List::of).orElse(List.of()).stream()
                    .filter(task -> task.taskId() != null && generationId.equals(task.taskId().deployId())
                            && FAILED_TASK_STATES.contains(task.lastTaskState()))
                    .limit(3)
                    .map(task -> postMortem.of(task.taskId().id(), task.lastTaskState(), now).map(TaskFailure::describe)
                            .orElse(task.lastTaskState()))
                    .toList();
        } catch (RuntimeException e) {
            LOG.debug("fleet=singularity group={} deploy={} task history not read: {}", group, generationId, e.toString());
            return List.of();
        }
    }

    private static <T> List<T> listOf(List<T> list) {
        return list == null ? List.of() : list;
    }
}
