package io.lbmanager.testsupport.singularity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lbmanager.fleet.DockerTaskRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The subset of Singularity 1.5.0's HTTP API lb-manager uses, on 127.0.0.1, with its rules: deploy
 * ids {@code [a-zA-Z0-9_.]} up to 50 and never reused (400, plain text), 409 JSON {code,message}
 * while a deploy is pending, canary groups (instanceGroupSize, TIMED/NONE acceptance,
 * canaryCycleCount) advanced by the timer or by {@code POST /api/deploys/update}, health checks on
 * the deploy's healthcheck uri and port index, deploy states and failure reasons, the previous
 * deploy staying active after a failure or cancel (asynchronous, at the next check), replacement
 * of lost tasks, scaling, pausing and unpausing a request (its tasks killed, none launched while paused,
 * 409 when it already is in that state), task history with Mesos' final status ({@code Container exited with status 3},
 * {@code Failed to launch container: ...}) and the sandbox's {@code stderr} served through
 * {@code /api/sandbox/{taskId}/read} the way Mesos' {@code /files/read} answers (no offset: the file's
 * size), and {@code allowedTasksFailuresPerGroup} failures per deploy before it fails. Tasks run as
 * {@link SimulatedTasks}: real containers of the deploy's image ({@link #start}) or in-process HTTP
 * servers ({@link #startInProcess}). A task being cleaned leaves the healthy list for the drain time
 * before it is stopped, as Singularity removes a task from the load balancer before killing it.
 * <p>
 * Where it behaves as the real server does, {@code fleet/singularity/SingularityContract} checks it on
 * both: "Not enough active agents" (400) on create, scale and deploy under {@code SEPARATE_BY_REQUEST};
 * steps advanced by {@code POST /api/deploys/update} start new tasks and retire no old ones, which go
 * all at once when the deploy succeeds; with {@code NONE} acceptance a finished group retires as many
 * old tasks at once; {@code waitMillisBetweenGroups} is waited between groups whatever the acceptance
 * mode, and with {@code TIMED} after the last group too; a health check fails the deploy at the {@code maxRetries + 1}-th bad
 * status, naming the instance and the status.
 * <p>
 * Not modelled, said out loud: agents are a count (every task runs on 127.0.0.1; placement other
 * than {@code SEPARATE_BY_REQUEST} is not checked); while a deploy is pending, old tasks that die are
 * not replaced; at a step Singularity's TIMED timer advances by itself, old tasks are retired down to
 * {@code instances - target} at that moment (not checked against the real server).
 */
public final class SingularitySimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SingularitySimulator.class);
    private static final Pattern DEPLOY_ID = Pattern.compile("[a-zA-Z0-9_.]+");
    private static final Pattern REQUEST_ID = Pattern.compile("[a-zA-Z0-9_-]+");
    private static final String HOST = "127.0.0.1";

    /** One HTTP call the simulator answered, for tests that check bodies against Singularity's models. */
    public record Exchange(String method, String path, int status, String requestBody, String responseBody,
                           String authorization) {
    }

    private final ObjectMapper json = new ObjectMapper();
    private final SimulatedTasks runtime;
    private final int agents;
    private final Duration drain;
    private final HttpServer server;
    private final ScheduledExecutorService checker;
    private final HttpClient health = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();

    private final Map<String, ObjectNode> requests = new LinkedHashMap<>();
    /** Paused requests: their tasks are killed and none is launched until they are unpaused. */
    private final Set<String> paused = new java.util.HashSet<>();
    private final Map<String, Map<String, ObjectNode>> deploys = new HashMap<>();
    private final Map<String, SimDeploy> active = new HashMap<>();
    private final Map<String, SimDeploy> pending = new HashMap<>();
    private final Map<String, Map<String, ObjectNode>> history = new HashMap<>();
    private final Map<String, SimTask> tasks = new LinkedHashMap<>();
    private final Map<String, SimTask> ended = new LinkedHashMap<>();
    private long lastStartedAt;

    private SingularitySimulator(SimulatedTasks runtime, int agents, Duration drain, Duration checkEvery) throws IOException {
        this.runtime = runtime;
        this.agents = agents;
        this.drain = drain;
        this.server = HttpServer.create(new InetSocketAddress(HOST, 0), 32);
        server.createContext("/singularity/api/", this::answer);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        checker = Executors.newSingleThreadScheduledExecutor();
        checker.scheduleWithFixedDelay(this::checkSafely, checkEvery.toMillis(), checkEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Starts the simulator with eight agents (scaling 3 to 4 instances needs 7 under Singularity's
     * placement rule); its tasks run in {@code docker}'s fleet.
     */
    public static SingularitySimulator start(DockerTaskRunner docker, Duration drain) throws IOException {
        return new SingularitySimulator(new DockerSimulatedTasks(docker), 8, drain, Duration.ofMillis(250));
    }

    /** Starts the simulator with {@code agents} agents; its tasks are {@link InProcessTasks}, cleaned tasks stop at once. */
    public static SingularitySimulator startInProcess(int agents) throws IOException {
        return new SingularitySimulator(new InProcessTasks(), agents, Duration.ZERO, Duration.ofMillis(100));
    }

    /** Ids of the tasks that run now, as the runtime sees them. */
    public synchronized java.util.Set<String> runningTaskIds() {
        return runtime.states().entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /** {@code http://127.0.0.1:PORT/singularity}: the base URL Singularity clients are given. */
    public String baseUrl() {
        return "http://" + HOST + ":" + server.getAddress().getPort() + "/singularity";
    }

    public List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    @Override
    public void close() {
        checker.shutdownNow();
        server.stop(0);
        if (runtime instanceof InProcessTasks inProcess) {
            inProcess.stopAll();
        }
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    // ---------------------------------------------------------------- HTTP

    private record Answer(int status, String contentType, String body) {
        static Answer json(int status, String body) {
            return new Answer(status, "application/json", body);
        }

        static Answer text(int status, String body) {
            return new Answer(status, "text/plain", body);
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath().substring("/singularity/api".length());
            Map<String, String> query = queryOf(exchange.getRequestURI().getRawQuery());
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Answer answer;
            try {
                synchronized (this) {
                    answer = route(method, path, query, body);
                }
            } catch (IllegalArgumentException e) {
                answer = Answer.text(400, e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("simulator {} {} failed", method, path, e);
                answer = Answer.text(500, e.toString());
            }
            exchanges.add(new Exchange(method, path, answer.status(), body, answer.body(),
                    exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    private Answer route(String method, String path, Map<String, String> query, String body) {
        Matcher m;
        if (method.equals("GET") && (m = match("/history/task/([^/]+)", path)) != null) {
            SimTask task = anyTask(m.group(1));
            return task == null ? notFound("No history for task " + m.group(1)) : Answer.json(200, write(taskHistory(task)));
        }
        if (method.equals("GET") && (m = match("/sandbox/([^/]+)/read", path)) != null) {
            return readSandbox(m.group(1), query);
        }
        if (method.equals("POST") && path.equals("/requests")) {
            return submitRequest(parse(body));
        }
        if (method.equals("GET") && (m = match("/requests/request/([^/]+)", path)) != null) {
            return requests.containsKey(m.group(1)) ? Answer.json(200, write(requestParent(m.group(1))))
                    : notFound("Couldn't find request with id " + m.group(1));
        }
        if (method.equals("DELETE") && (m = match("/requests/request/([^/]+)", path)) != null) {
            return deleteRequest(m.group(1));
        }
        if (method.equals("DELETE") && (m = match("/tasks/task/([^/]+)", path)) != null) {
            SimTask task = tasks.get(m.group(1));
            if (task == null || !task.active()) {
                return notFound("Couldn't find active task with id " + m.group(1));
            }
            clean(task);
            return Answer.json(200, write(taskJson(task)));
        }
        if (method.equals("POST") && (m = match("/requests/request/([^/]+)/(pause|unpause)", path)) != null) {
            return pauseOrUnpause(m.group(1), m.group(2).equals("pause"));
        }
        if (method.equals("PUT") && (m = match("/requests/request/([^/]+)/scale", path)) != null) {
            return scale(m.group(1), parse(body));
        }
        if (method.equals("POST") && path.equals("/deploys")) {
            return submitDeploy(parse(body));
        }
        if (method.equals("POST") && path.equals("/deploys/update")) {
            return updatePendingDeploy(parse(body));
        }
        if (method.equals("DELETE") && (m = match("/deploys/deploy/([^/]+)/request/([^/]+)", path)) != null) {
            return cancelDeploy(m.group(2), m.group(1));
        }
        if (method.equals("GET") && (m = match("/history/request/([^/]+)/deploy/([^/]+)", path)) != null) {
            ObjectNode entry = history.getOrDefault(m.group(1), Map.of()).get(m.group(2));
            return entry == null ? notFound("Deploy history for request " + m.group(1) + " and deploy " + m.group(2)
                    + " not found") : Answer.json(200, write(entry));
        }
        if (method.equals("GET") && (m = match("/tasks/ids/request/([^/]+)", path)) != null) {
            return requests.containsKey(m.group(1)) ? Answer.json(200, write(taskIds(m.group(1))))
                    : notFound("Couldn't find request with id " + m.group(1));
        }
        if (method.equals("GET") && (m = match("/tasks/task/([^/]+)", path)) != null) {
            SimTask task = tasks.get(m.group(1));
            return task == null ? notFound("No active task with id " + m.group(1)) : Answer.json(200, write(taskJson(task)));
        }
        return notFound("Not found: " + method + " " + path);
    }

    private Answer submitRequest(ObjectNode request) {
        String id = request.path("id").asText("");
        if (!REQUEST_ID.matcher(id).matches() || id.length() > 100) {
            return Answer.text(400, "Id cannot be null or contain characters other than [a-zA-Z0-9_]");
        }
        if (!request.hasNonNull("requestType")) {
            return Answer.text(400, "RequestType cannot be null or missing");
        }
        if (request.has("instances") && request.path("instances").asInt() < 1) {
            return Answer.text(400, "Instances must be greater than 0");
        }
        ObjectNode existing = requests.get(id);
        if (existing != null && existing.path("loadBalanced").asBoolean(false) != request.path("loadBalanced").asBoolean(false)) {
            return Answer.text(400, "Request can not change whether it is load balanced");
        }
        int before = existing == null ? 0 : instances(id);
        String unplaceable = unplaceable(request, id, request.path("instances").asInt(1) + before);
        if (unplaceable != null) {
            return Answer.text(400, unplaceable);
        }
        requests.put(id, request.deepCopy());
        return Answer.json(200, write(requestParent(id)));
    }

    private Answer pauseOrUnpause(String requestId, boolean pause) {
        if (!requests.containsKey(requestId)) {
            return notFound("Couldn't find request with id " + requestId);
        }
        if (pause ? !paused.add(requestId) : !paused.remove(requestId)) {
            return Answer.text(409, pause ? "Request " + requestId + " is paused. Unable to pause (it must be ACTIVE)"
                    : "Request " + requestId + " is not in a paused state, it is in state ACTIVE");
        }
        if (pause) {
            tasks.values().stream().filter(task -> task.active() && task.requestId.equals(requestId)).toList().forEach(this::clean);
        }
        return Answer.json(200, write(requestParent(requestId)));
    }

    private Answer scale(String requestId, ObjectNode body) {
        ObjectNode request = requests.get(requestId);
        if (request == null) {
            return notFound("Couldn't find request with id " + requestId);
        }
        if (!body.has("instances")) {
            request.remove("instances");
            return Answer.json(200, write(requestParent(requestId)));
        }
        int instances = body.path("instances").asInt();
        if (instances < 1) {
            return Answer.text(400, "Instances must be greater than 0");
        }
        if (instances == instances(requestId)) {
            return Answer.text(400, "Scale request has no affect on the # of instances (" + instances + ")");
        }
        String unplaceable = unplaceable(request, requestId, instances + instances(requestId));
        if (unplaceable != null) {
            return Answer.text(400, unplaceable);
        }
        request.put("instances", instances);
        return Answer.json(200, write(requestParent(requestId)));
    }

    private Answer submitDeploy(ObjectNode body) {
        JsonNode deployNode = body.get("deploy");
        if (!(deployNode instanceof ObjectNode deploy)) {
            return Answer.text(400, "DeployRequest must have a deploy object");
        }
        String requestId = deploy.path("requestId").asText("");
        String deployId = deploy.path("id").asText("");
        if (!requests.containsKey(requestId)) {
            return notFound("Couldn't find request with id " + requestId);
        }
        if (!DEPLOY_ID.matcher(deployId).matches()) {
            return Answer.text(400, "Id cannot be null or contain characters other than [a-zA-Z0-9_.]");
        }
        if (deployId.length() > 50) {
            return Answer.text(400, "Deploy id must be 50 characters or less, it is " + deployId.length() + " (" + deployId + ")");
        }
        if (deploys.getOrDefault(requestId, Map.of()).containsKey(deployId)) {
            return Answer.text(400, "Can not deploy a deploy that has already been deployed");
        }
        String invalid = invalidPorts(deploy);
        if (invalid != null) {
            return Answer.text(400, invalid);
        }
        if (pending.containsKey(requestId)) {
            return Answer.json(409, "{\"code\":409,\"message\":\"Pending deploy already in progress for " + requestId
                    + " - cancel it or wait for it to complete (" + pending.get(requestId).deployId + ")\"}");
        }
        int instances = instances(requestId);
        int beside = active.containsKey(requestId) ? Math.max(instances, (int) tasks.values().stream()
                .filter(task -> task.active() && task.requestId.equals(requestId)).count()) : 0;
        String unplaceable = unplaceable(requests.get(requestId), requestId, instances + beside);
        if (unplaceable != null) {
            return Answer.text(400, unplaceable);
        }
        deploys.computeIfAbsent(requestId, r -> new LinkedHashMap<>()).put(deployId, deploy.deepCopy());
        SimDeploy simDeploy = new SimDeploy(requestId, deployId, deploy.deepCopy(), System.currentTimeMillis(),
                body.path("message").asText(null));
        simDeploy.target = simDeploy.canary() ? Math.min(simDeploy.groupSize(), instances(requestId)) : instances(requestId);
        pending.put(requestId, simDeploy);
        LOG.info("simulator request={} deploy={} state=WAITING image={} target={}", requestId, deployId, simDeploy.image(),
                simDeploy.target);
        return Answer.json(200, write(requestParent(requestId)));
    }

    private static String invalidPorts(ObjectNode deploy) {
        int numPorts = deploy.path("resources").path("numPorts").asInt(0);
        for (JsonNode mapping : deploy.path("containerInfo").path("docker").path("portMappings")) {
            for (String side : List.of("container", "host")) {
                if (mapping.path(side + "PortType").asText("LITERAL").equals("FROM_OFFER")
                        && mapping.path(side + "Port").asInt() >= numPorts) {
                    return "Can not use " + side + "Port index " + mapping.path(side + "Port").asInt()
                            + " when only " + numPorts + " ports are requested";
                }
            }
        }
        JsonNode healthcheck = deploy.path("healthcheck");
        if (healthcheck.has("uri") && !healthcheck.has("portNumber") && numPorts == 0) {
            return "Cannot specify a healthcheck uri without ports or a portNumber";
        }
        if (healthcheck.path("portIndex").asInt(0) >= Math.max(numPorts, 1) && !healthcheck.has("portNumber")) {
            return "Healthcheck port index " + healthcheck.path("portIndex").asInt() + " out of range (" + numPorts + " ports)";
        }
        return null;
    }

    /**
     * Singularity's placement check for {@code SEPARATE_BY_REQUEST} (one task of the request per agent),
     * as the real server answers it: create needs the new instances plus the old ones if the request
     * existed, scale the new plus the old count, a deploy next to an active one the instances plus the
     * tasks the request still runs (the real server also counts, for a moment, tasks it is still
     * killing; this does not). Other placements are not checked.
     */
    private String unplaceable(ObjectNode request, String requestId, int required) {
        if (!request.path("agentPlacement").asText("").equals("SEPARATE_BY_REQUEST") || required <= agents) {
            return null;
        }
        return "Not enough active agents to successfully complete a bounce of request " + requestId + " (minimum required: "
                + required + ", current: " + agents + "). Consider deploying, or changing the agent placement strategy instead.";
    }

    private Answer deleteRequest(String requestId) {
        if (!requests.containsKey(requestId)) {
            return notFound("Couldn't find request with id " + requestId);
        }
        String answer = write(requestParent(requestId).get("request"));
        tasks.values().stream().filter(task -> task.requestId.equals(requestId)).forEach(this::clean);
        requests.remove(requestId);
        pending.remove(requestId);
        active.remove(requestId);
        return Answer.json(200, answer);
    }

    private Answer updatePendingDeploy(ObjectNode body) {
        String requestId = body.path("requestId").asText("");
        SimDeploy deploy = pending.get(requestId);
        if (deploy == null || !deploy.deployId.equals(body.path("deployId").asText())) {
            return Answer.text(400, "Request " + requestId + " does not have a pending deploy " + body.path("deployId").asText());
        }
        int target = body.path("targetActiveInstances").asInt(0);
        if (target < 1 || target > instances(requestId)) {
            return Answer.text(400, "Cannot update pending deploy to have more instances (" + target
                    + ") than instances set for request (" + instances(requestId) + "), or less than 1 instance");
        }
        deploy.target = target;
        deploy.stepLaunchComplete = false;
        deploy.stepTimestamp = System.currentTimeMillis();
        return Answer.json(200, write(requestParent(requestId)));
    }

    private Answer cancelDeploy(String requestId, String deployId) {
        SimDeploy deploy = pending.get(requestId);
        if (deploy == null || !deploy.deployId.equals(deployId)) {
            return Answer.text(400, "Request " + requestId + " does not have a pending deploy " + deployId);
        }
        deploy.cancelRequested = true;
        return Answer.json(200, write(requestParent(requestId)));
    }

    // ---------------------------------------------------------------- the deploy checker

    private void checkSafely() {
        try {
            synchronized (this) {
                check();
            }
        } catch (RuntimeException e) {
            LOG.warn("simulator check failed", e);
        }
    }

    private void check() {
        long now = System.currentTimeMillis();
        Map<String, Boolean> running = runtime.states();
        for (SimTask task : List.copyOf(tasks.values())) {
            if (task.active() && !running.getOrDefault(task.id, false)) {
                SimulatedTasks.Exit exit = runtime.exit(task.id);
                LOG.info("simulator task={} state=TASK_LOST known={} log:\n{}", task.id, running.containsKey(task.id),
                        exit.logTail());
                recordExit(task, exit);
                runtime.stop(task.id);
                tasks.remove(task.id);
                countFailure(task);
            } else if (!task.active() && task.cleaningUntil <= now) {
                runtime.stop(task.id);
                tasks.remove(task.id);
            }
        }
        for (SimTask task : List.copyOf(tasks.values())) {
            if (task.active() && !task.healthy && now >= task.nextHealthcheckAt) {
                checkHealth(task, now);
            }
        }
        for (String requestId : List.copyOf(requests.keySet())) {
            SimDeploy deploy = pending.get(requestId);
            if (deploy != null) {
                stepDeploy(deploy, now);
            } else {
                keepInstances(requestId);
            }
        }
    }

    private void stepDeploy(SimDeploy deploy, long now) {
        int instances = instances(deploy.requestId);
        if (deploy.cancelRequested) {
            finish(deploy, "CANCELED", "Canceled due to request at " + now, "DEPLOY_CANCELLED", null);
            return;
        }
        List<SimTask> fresh = activeTasks(deploy.requestId, deploy.deployId);
        for (SimTask task : fresh) {
            if (!task.healthy && now - task.startedAt > deploy.startupTimeoutMillis()) {
                finish(deploy, "FAILED", "Not all tasks for deploy were healthy", "TASK_FAILED_HEALTH_CHECKS", task);
                return;
            }
        }
        if (!deploy.stepLaunchComplete && now - deploy.stepTimestamp > deploy.deployTimeoutMillis()) {
            finish(deploy, "OVERDUE", "Deploy did not finish in time", "DEPLOY_OVERDUE", null);
            return;
        }
        launchUpTo(deploy.requestId, deploy.json, deploy.deployId, deploy.target, fresh);
        if (pending.get(deploy.requestId) != deploy) {
            return;
        }
        fresh = activeTasks(deploy.requestId, deploy.deployId);
        long healthy = fresh.stream().filter(task -> task.healthy).count();
        if (!deploy.stepLaunchComplete && healthy >= deploy.target) {
            deploy.stepLaunchComplete = true;
            deploy.stepTimestamp = now;
            if (deploy.canary() && deploy.acceptanceMode().equals("NONE")) {
                retireOld(deploy, instances);
            }
            LOG.info("simulator request={} deploy={} step to {} of {} instances launched", deploy.requestId, deploy.deployId,
                    deploy.target, instances);
        }
        if (!deploy.stepLaunchComplete) {
            return;
        }
        boolean waited = !deploy.canary() || now - deploy.stepTimestamp >= deploy.waitMillis();
        if (fresh.size() >= instances) {
            if (waited || deploy.acceptanceMode().equals("NONE")) {
                finish(deploy, "SUCCEEDED", null, null, null);
            }
            return;
        }
        if (!waited) {
            return;
        }
        if (deploy.acceptanceMode().equals("TIMED")) {
            retireOld(deploy, instances);
        }
        deploy.cyclesDone++;
        deploy.target = deploy.cyclesDone >= deploy.cycleCount() ? instances : Math.min(deploy.target + deploy.groupSize(), instances);
        deploy.stepLaunchComplete = false;
        deploy.stepTimestamp = now;
    }

    /** Cleans the active deploy's tasks beyond the {@code instances - target} the pending deploy still leaves them. */
    private void retireOld(SimDeploy deploy, int instances) {
        List<SimTask> old = otherActiveTasks(deploy.requestId, deploy.deployId);
        int shutDown = Math.max(old.size() - (instances - deploy.target), 0);
        old.sort(Comparator.comparingInt(task -> task.instanceNo));
        old.subList(0, Math.min(shutDown, old.size())).forEach(this::clean);
    }

    /** A task of the pending deploy failed: the deploy fails once more tasks failed than it allows. */
    private void countFailure(SimTask task) {
        SimDeploy deploy = pending.get(task.requestId);
        if (deploy == null || !deploy.deployId.equals(task.deployId)) {
            return;
        }
        deploy.taskFailures++;
        if (deploy.taskFailures > deploy.allowedFailures()) {
            finish(deploy, "FAILED", "At least " + deploy.taskFailures + " task(s) for this instance group failed",
                    task.healthy ? "TASK_EXPECTED_RUNNING_FINISHED" : "TASK_FAILED_ON_STARTUP", task);
        }
    }

    /** What Mesos' executor reports for a task that ended, and the stderr it left in the sandbox. */
    private void recordExit(SimTask task, SimulatedTasks.Exit exit) {
        task.ended(exit.message().endsWith(" 0") ? "TASK_FINISHED" : "TASK_FAILED", exit.message(),
                "REASON_COMMAND_EXECUTOR_FAILED", exit.stderr());
        keepEnded(task);
    }

    private void keepEnded(SimTask task) {
        ended.put(task.id, task);
        while (ended.size() > 200) {
            ended.remove(ended.keySet().iterator().next());
        }
    }

    private SimTask anyTask(String taskId) {
        SimTask task = tasks.get(taskId);
        return task != null ? task : ended.get(taskId);
    }

    /** Mesos' {@code /files/read} through Singularity: no offset answers the size; 400 without a sandbox directory. */
    private Answer readSandbox(String taskId, Map<String, String> query) {
        SimTask task = anyTask(taskId);
        if (task == null) {
            return notFound("No history for task " + taskId);
        }
        if (!task.started()) {
            return Answer.text(400, "Task " + taskId + " does not have a directory yet - check again soon (enqueued request to refetch)");
        }
        String path = query.getOrDefault("path", "");
        if (path.isEmpty()) {
            return Answer.text(400, "Must specify 'path'");
        }
        if (!path.equals("stderr") && !path.equals("stdout")) {
            return notFound("File " + sandboxDirectory(task) + "/" + path + " does not exist for task ID " + taskId);
        }
        byte[] file = path.equals("stderr") ? task.stderr : new byte[0];
        ObjectNode chunk = json.createObjectNode();
        if (!query.containsKey("offset")) {
            chunk.put("data", "");
            chunk.put("offset", file.length);
            return Answer.json(200, write(chunk));
        }
        int offset = (int) Math.min(Math.max(Long.parseLong(query.get("offset")), 0), file.length);
        int length = (int) Math.min(Long.parseLong(query.getOrDefault("length", "50000")), file.length - offset);
        chunk.put("data", new String(file, offset, length, StandardCharsets.UTF_8));
        chunk.put("offset", offset);
        chunk.put("nextOffset", offset + length);
        return Answer.json(200, write(chunk));
    }

    private ObjectNode taskHistory(SimTask task) {
        ObjectNode history = json.createObjectNode();
        ArrayNode updates = history.putArray("taskUpdates");
        addUpdate(updates, task, task.startedAt, "TASK_LAUNCHED", null, null);
        if (task.started()) {
            addUpdate(updates, task, task.startedAt + 1, "TASK_RUNNING", null, null);
            history.put("directory", sandboxDirectory(task));
            history.put("containerId", "mesos-" + task.id);
        }
        if (task.finalState != null) {
            addUpdate(updates, task, Math.max(task.finishedAt, task.startedAt + 2), task.finalState, task.finalMessage,
                    task.finalReason);
        }
        history.putArray("healthcheckResults");
        history.set("task", taskJson(task));
        history.putArray("loadBalancerUpdates");
        history.putArray("shellCommandHistory");
        history.putArray("taskMetadata");
        return history;
    }

    private void addUpdate(ArrayNode updates, SimTask task, long timestamp, String state, String message, String reason) {
        ObjectNode update = updates.addObject();
        update.set("taskId", taskIdJson(task));
        update.put("timestamp", timestamp);
        update.put("taskState", state);
        if (message != null) {
            update.put("statusMessage", message);
        }
        if (reason != null) {
            update.put("statusReason", reason);
        }
    }

    private static String sandboxDirectory(SimTask task) {
        return "/var/lib/mesos/slaves/agent-" + HOST + "/frameworks/singularity-simulator/executors/" + task.id + "/runs/latest";
    }

    private static Map<String, String> queryOf(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            query.put(key, eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return query;
    }

    private void finish(SimDeploy deploy, String state, String message, String failureReason, SimTask failedTask) {
        finish(deploy, state, message, failureReason, failedTask, null);
    }

    private void finish(SimDeploy deploy, String state, String message, String failureReason, SimTask failedTask,
                        String failureMessage) {
        pending.remove(deploy.requestId);
        ObjectNode result = json.createObjectNode();
        result.put("deployState", state);
        if (message != null) {
            result.put("message", message);
        }
        ArrayNode failures = result.putArray("deployFailures");
        if (failureReason != null) {
            ObjectNode failure = failures.addObject();
            failure.put("reason", failureReason);
            if (failedTask != null) {
                failure.set("taskId", taskIdJson(failedTask));
            }
            if (failureMessage != null) {
                failure.put("message", failureMessage);
            }
        }
        result.put("timestamp", System.currentTimeMillis());
        ObjectNode entry = json.createObjectNode();
        entry.set("deployMarker", marker(deploy));
        entry.set("deploy", deploy.json);
        entry.set("deployResult", result);
        history.computeIfAbsent(deploy.requestId, r -> new LinkedHashMap<>()).put(deploy.deployId, entry);
        if (state.equals("SUCCEEDED")) {
            active.put(deploy.requestId, deploy);
            otherActiveTasks(deploy.requestId, deploy.deployId).forEach(this::clean);
        } else {
            activeTasks(deploy.requestId, deploy.deployId).forEach(this::clean);
        }
        LOG.info("simulator request={} deploy={} state={} reason={}", deploy.requestId, deploy.deployId, state, failureReason);
    }

    /** No deploy pending: the active deploy runs exactly {@code instances} tasks; lost ones are replaced. */
    private void keepInstances(String requestId) {
        SimDeploy deploy = active.get(requestId);
        if (deploy == null || paused.contains(requestId)) {
            return;
        }
        List<SimTask> current = activeTasks(requestId, deploy.deployId);
        int instances = instances(requestId);
        launchUpTo(requestId, deploy.json, deploy.deployId, instances, current);
        current.sort(Comparator.comparingInt(task -> task.instanceNo));
        if (current.size() > instances) {
            current.subList(instances, current.size()).forEach(this::clean);
        }
        if (current.stream().filter(task -> task.healthy).count() >= Math.min(instances, current.size())) {
            otherActiveTasks(requestId, deploy.deployId).forEach(this::clean);
        }
    }

    private void launchUpTo(String requestId, ObjectNode deployJson, String deployId, int target, List<SimTask> current) {
        Set<Integer> used = current.stream().map(task -> task.instanceNo).collect(Collectors.toSet());
        int instanceNo = 1;
        for (int i = current.size(); i < target; i++) {
            while (used.contains(instanceNo)) {
                instanceNo++;
            }
            used.add(instanceNo);
            launch(requestId, deployJson, deployId, instanceNo);
        }
    }

    private void launch(String requestId, ObjectNode deployJson, String deployId, int instanceNo) {
        long startedAt = Math.max(System.currentTimeMillis(), lastStartedAt + 1);
        lastStartedAt = startedAt;
        String taskId = requestId + "-" + deployId + "-" + startedAt + "-" + instanceNo + "-" + HOST + "-DEFAULT";
        Map<String, String> env = new LinkedHashMap<>();
        deployJson.path("env").fields().forEachRemaining(field -> env.put(field.getKey(), field.getValue().asText()));
        env.put("TASK_HOST", HOST);
        env.put("TASK_ID", taskId);
        env.put("TASK_REQUEST_ID", requestId);
        env.put("TASK_DEPLOY_ID", deployId);
        env.put("INSTANCE_NO", Integer.toString(instanceNo));
        env.put("ESTIMATED_INSTANCE_COUNT", Integer.toString(instances(requestId)));
        env.put("LBM_AGENT_ID", taskId);
        String image = deployJson.path("containerInfo").path("docker").path("image").asText();
        SimulatedTasks.Ports ports;
        try {
            ports = runtime.start(taskId, requestId, deployId, image, env);
        } catch (RuntimeException e) {
            SimTask failed = new SimTask(taskId, requestId, deployId, startedAt, instanceNo, 0, 0, image);
            failed.ended("TASK_FAILED", "Failed to launch container: Failed to run 'docker -H unix:///var/run/docker.sock pull "
                    + image + "': exited with status 1; stderr='Error response from daemon: " + e.getMessage() + "'",
                    "REASON_CONTAINER_LAUNCH_FAILED", new byte[0]);
            keepEnded(failed);
            LOG.info("simulator request={} deploy={} task={} state=TASK_FAILED message={}", requestId, deployId, taskId,
                    failed.finalMessage);
            countFailure(failed);
            return;
        }
        tasks.put(taskId, new SimTask(taskId, requestId, deployId, startedAt, instanceNo, ports.traffic(), ports.admin(),
                image));
        LOG.info("simulator request={} deploy={} task={} state=TASK_RUNNING", requestId, deployId, taskId);
    }

    private void clean(SimTask task) {
        if (task.active()) {
            task.cleaningUntil = System.currentTimeMillis() + drain.toMillis();
            LOG.info("simulator task={} state=CLEANING", task.id);
        }
    }

    /**
     * One health check of a not yet healthy task, every {@code intervalSeconds} (every
     * {@code startupIntervalSeconds} while it does not answer): a 2xx makes it healthy; the
     * {@code maxRetries + 1}-th bad status fails its pending deploy, as Singularity does, naming the
     * instance and the last status. No answer at all counts only against {@code startupTimeoutSeconds}
     * (an assumption: the contract does not check it).
     */
    private void checkHealth(SimTask task, long now) {
        JsonNode healthcheck = deploys.get(task.requestId).get(task.deployId).path("healthcheck");
        if (!healthcheck.has("uri")) {
            task.healthy = true;
            return;
        }
        if (now < task.startedAt + healthcheck.path("startupDelaySeconds").asLong(0) * 1000) {
            return;
        }
        int status = healthStatus(task, healthcheck);
        if (status >= 200 && status < 300) {
            task.healthy = true;
            return;
        }
        task.nextHealthcheckAt = now + 1000 * (status < 0 ? healthcheck.path("startupIntervalSeconds").asLong(2)
                : healthcheck.path("intervalSeconds").asLong(5));
        if (status < 0) {
            return;
        }
        task.badHealthchecks++;
        int allowed = healthcheck.path("maxRetries").asInt(0) + 1;
        SimDeploy deploy = pending.get(task.requestId);
        if (task.badHealthchecks >= allowed && deploy != null && deploy.deployId.equals(task.deployId)) {
            finish(deploy, "FAILED", "Not all tasks for deploy were healthy", "TASK_FAILED_HEALTH_CHECKS", task,
                    "Instance " + task.instanceNo + " failed " + task.badHealthchecks
                            + " healthchecks, the max for the deploy. Last check returned with status code " + status);
        }
    }

    /** The status code the task's health check answered, or -1 when it did not answer. */
    private int healthStatus(SimTask task, JsonNode healthcheck) {
        int port = healthcheck.has("portNumber") ? healthcheck.path("portNumber").asInt()
                : healthcheck.path("portIndex").asInt(0) == 0 ? task.trafficPort : task.adminPort;
        String uri = healthcheck.path("uri").asText();
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + port + (uri.startsWith("/") ? "" : "/")
                    + uri)).timeout(Duration.ofSeconds(healthcheck.path("responseTimeoutSeconds").asLong(5))).GET().build();
            return health.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    // ---------------------------------------------------------------- JSON in Singularity's shapes

    private ObjectNode requestParent(String requestId) {
        ObjectNode parent = json.createObjectNode();
        parent.set("request", requests.get(requestId));
        parent.put("state", paused.contains(requestId) ? "PAUSED" : "ACTIVE");
        ObjectNode deployState = parent.putObject("requestDeployState");
        deployState.put("requestId", requestId);
        SimDeploy activeDeploy = active.get(requestId);
        SimDeploy pendingDeploy = pending.get(requestId);
        if (activeDeploy != null) {
            deployState.set("activeDeploy", marker(activeDeploy));
            parent.set("activeDeploy", activeDeploy.json);
        }
        if (pendingDeploy != null) {
            deployState.set("pendingDeploy", marker(pendingDeploy));
            parent.set("pendingDeploy", pendingDeploy.json);
            ObjectNode state = parent.putObject("pendingDeployState");
            state.set("deployMarker", marker(pendingDeploy));
            state.put("currentDeployState", pendingDeploy.cancelRequested ? "CANCELING" : "WAITING");
            ObjectNode progress = state.putObject("deployProgress");
            progress.put("targetActiveInstances", pendingDeploy.target);
            progress.put("currentActiveInstances", activeTasks(requestId, pendingDeploy.deployId).size());
            progress.put("stepLaunchComplete", pendingDeploy.stepLaunchComplete);
            progress.putArray("failedDeployTasks");
            progress.put("timestamp", pendingDeploy.stepTimestamp);
            progress.putObject("lbUpdates");
            progress.putObject("stepAcceptanceResults");
            progress.putArray("acceptanceResultMessageHistory");
            progress.put("canary", pendingDeploy.canary());
        }
        return parent;
    }

    private ObjectNode marker(SimDeploy deploy) {
        ObjectNode marker = json.createObjectNode();
        marker.put("requestId", deploy.requestId);
        marker.put("deployId", deploy.deployId);
        marker.put("timestamp", deploy.timestamp);
        if (deploy.user != null) {
            marker.put("message", deploy.user);
        }
        return marker;
    }

    private ObjectNode taskIds(String requestId) {
        ObjectNode ids = json.createObjectNode();
        ArrayNode healthy = ids.putArray("healthy");
        ArrayNode notYetHealthy = ids.putArray("notYetHealthy");
        ids.putArray("pending");
        ArrayNode cleaning = ids.putArray("cleaning");
        ids.putArray("loadBalanced");
        ids.putArray("killed");
        for (SimTask task : tasks.values()) {
            if (!task.requestId.equals(requestId)) {
                continue;
            }
            (task.active() ? (task.healthy ? healthy : notYetHealthy) : cleaning).add(taskIdJson(task));
        }
        return ids;
    }

    private ObjectNode taskIdJson(SimTask task) {
        ObjectNode id = json.createObjectNode();
        id.put("id", task.id);
        id.put("requestId", task.requestId);
        id.put("deployId", task.deployId);
        id.put("startedAt", task.startedAt);
        id.put("instanceNo", task.instanceNo);
        id.put("host", HOST);
        id.put("sanitizedHost", HOST);
        id.put("rackId", "DEFAULT");
        id.put("sanitizedRackId", "DEFAULT");
        return id;
    }

    private ObjectNode taskJson(SimTask task) {
        ObjectNode node = json.createObjectNode();
        ObjectNode taskRequest = node.putObject("taskRequest");
        taskRequest.set("request", requests.get(task.requestId));
        taskRequest.set("deploy", deploys.get(task.requestId).get(task.deployId));
        ObjectNode pendingTask = taskRequest.putObject("pendingTask");
        ObjectNode pendingTaskId = pendingTask.putObject("pendingTaskId");
        pendingTaskId.put("requestId", task.requestId);
        pendingTaskId.put("deployId", task.deployId);
        pendingTaskId.put("nextRunAt", task.startedAt);
        pendingTaskId.put("instanceNo", task.instanceNo);
        pendingTaskId.put("pendingType", "NEW_DEPLOY");
        pendingTaskId.put("createdAt", task.startedAt);
        node.set("taskId", taskIdJson(task));
        ObjectNode offer = node.putArray("offers").addObject();
        offer.putObject("id").put("value", "offer-" + task.startedAt);
        offer.putObject("frameworkId").put("value", "singularity-simulator");
        offer.putObject("agentId").put("value", "agent-" + HOST);
        offer.put("hostname", HOST);
        ObjectNode mesosTask = node.putObject("mesosTask");
        mesosTask.putObject("taskId").put("value", task.id);
        mesosTask.putObject("agentId").put("value", "agent-" + HOST);
        mesosTask.put("name", task.requestId);
        ArrayNode resources = mesosTask.putArray("resources");
        ObjectNode ports = resources.addObject();
        ports.put("name", "ports");
        ArrayNode range = ports.putObject("ranges").putArray("range");
        range.addObject().put("begin", task.trafficPort).put("end", task.trafficPort);
        range.addObject().put("begin", task.adminPort).put("end", task.adminPort);
        node.put("rackId", "DEFAULT");
        return node;
    }

    // ---------------------------------------------------------------- helpers

    private List<SimTask> activeTasks(String requestId, String deployId) {
        return tasks.values().stream().filter(task -> task.active() && task.requestId.equals(requestId)
                && task.deployId.equals(deployId)).collect(Collectors.toCollection(ArrayList::new));
    }

    private List<SimTask> otherActiveTasks(String requestId, String deployId) {
        return tasks.values().stream().filter(task -> task.active() && task.requestId.equals(requestId)
                && !task.deployId.equals(deployId)).collect(Collectors.toCollection(ArrayList::new));
    }

    private int instances(String requestId) {
        return requests.get(requestId).path("instances").asInt(1);
    }

    private static Matcher match(String regex, String path) {
        Matcher matcher = Pattern.compile(regex).matcher(path);
        return matcher.matches() ? matcher : null;
    }

    private ObjectNode parse(String body) {
        try {
            JsonNode node = json.readTree(body);
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (IOException e) {
            // answered below
        }
        throw new IllegalArgumentException("not a JSON object: " + body);
    }

    private String write(JsonNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Answer notFound(String message) {
        return Answer.json(404, "{\"code\":404,\"message\":\"" + message.replace("\"", "'") + "\"}");
    }
}
