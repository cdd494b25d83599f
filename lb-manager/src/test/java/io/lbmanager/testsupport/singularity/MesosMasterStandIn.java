package io.lbmanager.testsupport.singularity;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.DockerClient;
import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.Attribute;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.MasterInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.Value;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Mesos master, as far as SingularityService 1.5.0 needs one, on 127.0.0.1: the v1 scheduler
 * HTTP API in protobuf ({@code POST /api/v1/scheduler}: SUBSCRIBE answered by a RecordIO stream of
 * SUBSCRIBED, HEARTBEAT, OFFERS and UPDATE events; ACCEPT with LAUNCH, DECLINE, KILL, ACKNOWLEDGE,
 * RECONCILE, REVIVE, SUPPRESS answered 202) and {@code GET /master/state}. Each {@link StandInAgent}
 * has one offer out at a time with what its tasks leave free; launched tasks run as real
 * containers ({@link StandInContainers}). Not modelled: failover, multiple frameworks, roles,
 * resource filters (declined resources are offered again within a second).
 */
public final class MesosMasterStandIn implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MesosMasterStandIn.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int HEARTBEAT_SECONDS = 5;

    private final List<StandInAgent> agents;
    private final HttpServer server;
    private final ExecutorService httpThreads = Executors.newCachedThreadPool();
    /** Every state change runs here, one at a time: offers, launches, kills. */
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService docker = Executors.newFixedThreadPool(2);
    private final StandInContainers containers;
    private final Map<String, StandInAgent> outstandingOffers = new ConcurrentHashMap<>();
    private final Map<String, String> agentOfTask = new ConcurrentHashMap<>();
    private final Map<String, TaskState> lastState = new ConcurrentHashMap<>();
    private final Map<String, Long> killCalls = new ConcurrentHashMap<>();
    private final AtomicInteger offerCounter = new AtomicInteger();
    private volatile EventStream stream;
    private volatile FrameworkID frameworkId;

    private MesosMasterStandIn(List<StandInAgent> agents, DockerClient dockerClient, String fleetName) throws IOException {
        this.agents = List.copyOf(agents);
        this.containers = new StandInContainers(dockerClient, fleetName, this::statusUpdate);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.createContext("/api/v1/scheduler", this::schedulerCall);
        server.createContext("/master/state", this::masterState);
        server.setExecutor(httpThreads);
    }

    /** Starts the master; containers it launches carry {@code fleetName} (see {@link io.lbmanager.fleet.DockerTaskRunner#LABEL_FLEET}). */
    public static MesosMasterStandIn start(List<StandInAgent> agents, DockerClient docker, String fleetName) throws IOException {
        MesosMasterStandIn master = new MesosMasterStandIn(agents, docker, fleetName);
        master.server.start();
        master.worker.scheduleWithFixedDelay(master.guarded(master::sendOffers), 1, 1, TimeUnit.SECONDS);
        master.worker.scheduleWithFixedDelay(master.guarded(master.containers::reportExited), 1, 1, TimeUnit.SECONDS);
        master.worker.scheduleWithFixedDelay(master.guarded(master::heartbeat), HEARTBEAT_SECONDS, HEARTBEAT_SECONDS,
                TimeUnit.SECONDS);
        return master;
    }

    /** {@code 127.0.0.1:PORT}, Singularity's {@code mesos.master}. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public List<StandInAgent> agents() {
        return agents;
    }

    /** Ids of the tasks running now. */
    public Set<String> runningTasks() {
        return new TreeSet<>(containers.running().keySet());
    }

    /** When the scheduler first asked to kill each task (wall clock, ms), by task id. */
    public Map<String, Long> killCalls() {
        return Map.copyOf(killCalls);
    }

    @Override
    public void close() {
        server.stop(0);
        worker.shutdownNow();
        EventStream current = stream;
        if (current != null) {
            current.close();
        }
        docker.shutdownNow();
        containers.removeAll();
        httpThreads.shutdownNow();
    }

    private Runnable guarded(Runnable action) {
        return () -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.warn("mesos stand-in: {}", e.toString(), e);
            }
        };
    }

    private void schedulerCall(HttpExchange exchange) throws IOException {
        Call call;
        try {
            call = Call.parseFrom(exchange.getRequestBody().readAllBytes());
        } catch (InvalidProtocolBufferException e) {
            answer(exchange, 400, "this stand-in speaks protobuf only: " + e.getMessage());
            return;
        }
        if (call.getType() == Call.Type.SUBSCRIBE) {
            subscribe(exchange, call);
            return;
        }
        answer(exchange, 202, "");
        worker.execute(guarded(() -> apply(call)));
    }

    private void subscribe(HttpExchange exchange, Call call) throws IOException {
        frameworkId = call.getSubscribe().getFrameworkInfo().hasId() ? call.getSubscribe().getFrameworkInfo().getId()
                : FrameworkID.newBuilder().setValue("standin-framework").build();
        exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
        exchange.getResponseHeaders().add("Mesos-Stream-Id", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(200, 0);
        EventStream previous = stream;
        EventStream current = new EventStream(exchange);
        stream = current;
        if (previous != null) {
            previous.close();
        }
        int port = server.getAddress().getPort();
        current.send(Event.newBuilder().setType(Event.Type.SUBSCRIBED).setSubscribed(Event.Subscribed.newBuilder()
                .setFrameworkId(frameworkId)
                .setHeartbeatIntervalSeconds(HEARTBEAT_SECONDS)
                .setMasterInfo(MasterInfo.newBuilder().setId("standin-master").setIp(0x0100007F).setPort(port)
                        .setHostname("127.0.0.1").setVersion("1.11.0"))).build());
        outstandingOffers.clear();
        LOG.info("mesos stand-in: framework {} subscribed", frameworkId.getValue());
        current.pump();
    }

    private void apply(Call call) {
        switch (call.getType()) {
            case ACCEPT -> {
                for (OfferID offer : call.getAccept().getOfferIdsList()) {
                    StandInAgent agent = outstandingOffers.remove(offer.getValue());
                    if (agent == null) {
                        continue;
                    }
                    for (Offer.Operation operation : call.getAccept().getOperationsList()) {
                        if (operation.getType() == Offer.Operation.Type.LAUNCH) {
                            for (TaskInfo task : operation.getLaunch().getTaskInfosList()) {
                                if (task.getAgentId().getValue().equals(agent.id())) {
                                    launch(task, agent);
                                }
                            }
                        }
                    }
                }
            }
            case DECLINE -> call.getDecline().getOfferIdsList().forEach(offer -> outstandingOffers.remove(offer.getValue()));
            case KILL -> {
                String taskId = call.getKill().getTaskId().getValue();
                killCalls.putIfAbsent(taskId, System.currentTimeMillis());
                docker.execute(guarded(() -> containers.kill(taskId)));
            }
            case RECONCILE -> reconcile(call.getReconcile());
            default -> {
                // ACKNOWLEDGE (updates carry no uuid), REVIVE, SUPPRESS, TEARDOWN: nothing to do
            }
        }
    }

    private void launch(TaskInfo task, StandInAgent agent) {
        String taskId = task.getTaskId().getValue();
        agentOfTask.put(taskId, agent.id());
        StandInContainers.Running reserved = containers.reserve(task, agent);
        LOG.info("mesos stand-in: LAUNCH {} on {} ports {} image {}", taskId, agent.host(), reserved.ports(),
                task.getContainer().getDocker().getImage());
        docker.execute(guarded(() -> containers.start(reserved)));
    }

    private void reconcile(Call.Reconcile reconcile) {
        if (reconcile.getTasksCount() == 0) {
            for (String taskId : containers.running().keySet()) {
                statusUpdate(taskId, lastState.getOrDefault(taskId, TaskState.TASK_RUNNING), "reconciliation");
            }
            return;
        }
        for (Call.Reconcile.Task task : reconcile.getTasksList()) {
            String taskId = task.getTaskId().getValue();
            TaskState state = containers.running().containsKey(taskId)
                    ? lastState.getOrDefault(taskId, TaskState.TASK_RUNNING) : TaskState.TASK_LOST;
            statusUpdate(taskId, state, "reconciliation");
        }
    }

    private void statusUpdate(String taskId, TaskState state, String message) {
        lastState.put(taskId, state);
        if (state != TaskState.TASK_STARTING && state != TaskState.TASK_RUNNING) {
            LOG.info("mesos stand-in: {} {} {}", taskId, state, message.length() > 300 ? message.substring(message.length() - 300) : message);
        }
        TaskStatus.Builder status = TaskStatus.newBuilder()
                .setTaskId(TaskID.newBuilder().setValue(taskId))
                .setState(state)
                .setSource(TaskStatus.Source.SOURCE_EXECUTOR)
                .setTimestamp(System.currentTimeMillis() / 1000.0)
                .setMessage(message.length() > 1000 ? message.substring(message.length() - 1000) : message);
        String agentId = agentOfTask.get(taskId);
        if (agentId != null) {
            status.setAgentId(AgentID.newBuilder().setValue(agentId));
        }
        send(Event.newBuilder().setType(Event.Type.UPDATE).setUpdate(Event.Update.newBuilder().setStatus(status)).build());
    }

    private void sendOffers() {
        if (stream == null || frameworkId == null) {
            return;
        }
        List<Offer> offers = new ArrayList<>();
        for (StandInAgent agent : agents) {
            if (outstandingOffers.containsValue(agent)) {
                continue;
            }
            Offer offer = offerOf(agent);
            if (offer != null) {
                outstandingOffers.put(offer.getId().getValue(), agent);
                offers.add(offer);
            }
        }
        if (!offers.isEmpty()) {
            send(Event.newBuilder().setType(Event.Type.OFFERS).setOffers(Event.Offers.newBuilder().addAllOffers(offers)).build());
        }
    }

    private Offer offerOf(StandInAgent agent) {
        double cpus = agent.cpus();
        double memory = agent.memoryMb();
        Set<Integer> freePorts = new TreeSet<>();
        for (int port = agent.firstPort(); port <= agent.lastPort(); port++) {
            freePorts.add(port);
        }
        for (StandInContainers.Running task : containers.running().values()) {
            if (task.agent().equals(agent)) {
                cpus -= task.cpus();
                memory -= task.memoryMb();
                task.ports().forEach(freePorts::remove);
            }
        }
        if (cpus < 0.1 || memory < 32 || freePorts.isEmpty()) {
            return null;
        }
        Value.Ranges.Builder ranges = Value.Ranges.newBuilder();
        int start = -1;
        int previous = -1;
        for (int port : freePorts) {
            if (start >= 0 && port != previous + 1) {
                ranges.addRange(Value.Range.newBuilder().setBegin(start).setEnd(previous));
                start = -1;
            }
            if (start < 0) {
                start = port;
            }
            previous = port;
        }
        ranges.addRange(Value.Range.newBuilder().setBegin(start).setEnd(previous));
        Offer.Builder offer = Offer.newBuilder()
                .setId(OfferID.newBuilder().setValue("offer-" + offerCounter.incrementAndGet()))
                .setFrameworkId(frameworkId)
                .setAgentId(AgentID.newBuilder().setValue(agent.id()))
                .setHostname(agent.host())
                .addResources(scalar("cpus", cpus))
                .addResources(scalar("mem", memory))
                .addResources(scalar("disk", 100_000))
                .addResources(Resource.newBuilder().setName("ports").setType(Value.Type.RANGES).setRole("*").setRanges(ranges));
        for (Map.Entry<String, String> attribute : attributesOf(agent).entrySet()) {
            offer.addAttributes(Attribute.newBuilder().setName(attribute.getKey()).setType(Value.Type.TEXT)
                    .setText(Value.Text.newBuilder().setValue(attribute.getValue())));
        }
        return offer.build();
    }

    private static Resource scalar(String name, double value) {
        return Resource.newBuilder().setName(name).setType(Value.Type.SCALAR).setRole("*")
                .setScalar(Value.Scalar.newBuilder().setValue(value)).build();
    }

    private static Map<String, String> attributesOf(StandInAgent agent) {
        Map<String, String> attributes = new java.util.LinkedHashMap<>(agent.attributes());
        attributes.put("rackid", agent.rack());
        return attributes;
    }

    private void heartbeat() {
        send(Event.newBuilder().setType(Event.Type.HEARTBEAT).build());
    }

    private void send(Event event) {
        EventStream current = stream;
        if (current != null) {
            current.send(event);
        }
    }

    private void masterState(HttpExchange exchange) throws IOException {
        int port = server.getAddress().getPort();
        ObjectNode state = JSON.createObjectNode();
        state.put("version", "1.11.0");
        state.put("id", "standin-master");
        state.put("pid", "master@127.0.0.1:" + port);
        state.put("hostname", "127.0.0.1");
        state.put("leader", "master@127.0.0.1:" + port);
        state.put("activated_slaves", agents.size());
        ArrayNode slaves = state.putArray("slaves");
        for (StandInAgent agent : agents) {
            ObjectNode slave = slaves.addObject();
            slave.put("id", agent.id());
            slave.put("pid", "slave(1)@" + agent.host() + ":5051");
            slave.put("hostname", agent.host());
            slave.put("registered_time", System.currentTimeMillis() / 1000.0);
            ObjectNode resources = slave.putObject("resources");
            resources.put("cpus", agent.cpus());
            resources.put("mem", agent.memoryMb());
            resources.put("disk", 100_000);
            resources.put("ports", "[" + agent.firstPort() + "-" + agent.lastPort() + "]");
            ObjectNode attributes = slave.putObject("attributes");
            attributesOf(agent).forEach(attributes::put);
            slave.put("active", true);
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        byte[] body = JSON.writeValueAsBytes(state);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The subscriber's open response: RecordIO records ({@code <length>\n<protobuf bytes>}) written by one thread. */
    private static final class EventStream {
        private static final Event CLOSE = Event.newBuilder().setType(Event.Type.UNKNOWN).build();
        private final HttpExchange exchange;
        private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();

        EventStream(HttpExchange exchange) {
            this.exchange = exchange;
        }

        void send(Event event) {
            queue.add(event);
        }

        void close() {
            queue.add(CLOSE);
        }

        /** Writes events until closed or the subscriber goes away; runs on the request's thread. */
        void pump() {
            try (OutputStream out = exchange.getResponseBody()) {
                while (true) {
                    Event event = queue.take();
                    if (event == CLOSE) {
                        return;
                    }
                    byte[] bytes = event.toByteArray();
                    out.write((bytes.length + "\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(bytes);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                LOG.info("mesos stand-in: event stream ended: {}", e.toString());
            } finally {
                exchange.close();
            }
        }
    }
}
