package io.lbmanager.fleet;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import io.lbmanager.agent.AgentEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Nginx tasks as plain Docker containers on this machine: host networking, listening on
 * 127.0.0.1 on ports this fleet hands out, found again by their labels. The fleet name keeps
 * two fleets (two test runs, a demo) on one engine apart.
 */
public final class DockerTaskRunner implements TaskRunner {

    private static final Logger LOG = LoggerFactory.getLogger(DockerTaskRunner.class);
    private static final String NAME_PATTERN = "[a-zA-Z0-9][a-zA-Z0-9_.-]*";

    public static final String LABEL_FLEET = "lb-manager.fleet";
    public static final String LABEL_GROUP = "lb-manager.group";
    public static final String LABEL_TASK = "lb-manager.task-id";
    public static final String LABEL_TRAFFIC_PORT = "lb-manager.traffic-port";
    public static final String LABEL_ADMIN_PORT = "lb-manager.admin-port";
    public static final String LABEL_GENERATION = "lb-manager.generation";
    public static final String HOST = "127.0.0.1";

    private final DockerClient docker;
    private final String fleetName;
    private final String image;
    private final String zkConnect;
    private final String zkRoot;
    private final LoopbackPorts ports;
    private final Map<String, String> agentEnv;
    private final ContainerPostMortem postMortem;
    private final StablePorts stablePorts;
    private volatile Map<String, String> zones = Map.of();

    /**
     * @param image     the Nginx + agent image (nginx-image/)
     * @param fleetName label value that keeps this fleet's containers apart from other fleets on the engine
     * @param zkConnect ZooKeeper connect string as the agents (host network) reach it
     * @param zkRoot    lb-manager's ZooKeeper root
     */
    public DockerTaskRunner(DockerClient docker, String image, String fleetName, String zkConnect, String zkRoot) {
        this(docker, image, fleetName, zkConnect, zkRoot, Map.of());
    }

    /** @param agentEnv added to every agent's environment (its ZooKeeper credentials and the signing key) */
    public DockerTaskRunner(DockerClient docker, String image, String fleetName, String zkConnect, String zkRoot,
                       Map<String, String> agentEnv) {
        this(docker, image, fleetName, zkConnect, zkRoot, agentEnv, StablePorts.NONE);
    }

    /** @param stablePorts groups whose tasks listen on fixed traffic ports (a replacement takes the port it replaces) */
    public DockerTaskRunner(DockerClient docker, String image, String fleetName, String zkConnect, String zkRoot,
                       Map<String, String> agentEnv, StablePorts stablePorts) {
        this.stablePorts = stablePorts;
        this.agentEnv = Map.copyOf(agentEnv);
        this.docker = docker;
        this.fleetName = requireName("fleet name", fleetName);
        this.image = image;
        this.zkConnect = zkConnect;
        this.zkRoot = zkRoot;
        this.ports = new LoopbackPorts(InetAddress.getLoopbackAddress());
        this.postMortem = new ContainerPostMortem(docker);
    }

    /** Why a task's container stopped, and whether an image exists on this engine. */
    public ContainerPostMortem postMortem() {
        return postMortem;
    }

    /** Groups whose tasks listen on fixed traffic ports. */
    /** Sets the zone of each named group's tasks (their {@code LBM_ZONE}), for tasks started from now on. */
    public DockerTaskRunner inZones(Map<String, String> groupZones) {
        this.zones = Map.copyOf(groupZones);
        return this;
    }

    public StablePorts stablePorts() {
        return stablePorts;
    }

    public String fleetName() {
        return fleetName;
    }

    /** The image {@link #startTask(String)} runs. */
    public String image() {
        return image;
    }

    /** Kills the task's container without removing it (tests: a task that died). */
    public void killTask(String taskId) {
        try {
            docker.killContainerCmd(taskId).exec();
        } catch (NotFoundException | com.github.dockerjava.api.exception.ConflictException gone) {
            // already dead or gone
        }
    }

    @Override
    public List<NginxTask> tasks(String group) {
        return containers(Map.of(LABEL_FLEET, fleetName, LABEL_GROUP, group)).stream().map(this::toTask).toList();
    }

    /** Every task of this fleet, in all groups. */
    public List<NginxTask> allTasks() {
        return containers(Map.of(LABEL_FLEET, fleetName)).stream().map(this::toTask).toList();
    }

    @Override
    public NginxTask startTask(String group) {
        return startTask(group, image, "", Map.of());
    }

    /**
     * Starts a task of the group with this image, labelled with its generation. {@code extraEnv} is
     * added to the agent's environment (a Singularity simulator passes TASK_ID, TASK_HOST, ...);
     * it may name the task with {@code LBM_AGENT_ID}.
     */
    public synchronized NginxTask startTask(String group, String taskImage, String generation, Map<String, String> extraEnv) {
        requireName("group", group);
        String taskId = extraEnv.getOrDefault("LBM_AGENT_ID",
                "lbm-" + fleetName + "-" + group + "-" + UUID.randomUUID().toString().substring(0, 8));
        Set<Integer> taken = portsOfFleet();
        int trafficPort = trafficPort(group, taken);
        taken.add(trafficPort);
        taken.addAll(stablePorts.all());
        int adminPort = ports.allocate(taken);

        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL_FLEET, fleetName);
        labels.put(LABEL_GROUP, group);
        labels.put(LABEL_TASK, taskId);
        labels.put(LABEL_TRAFFIC_PORT, Integer.toString(trafficPort));
        labels.put(LABEL_ADMIN_PORT, Integer.toString(adminPort));
        labels.put(LABEL_GENERATION, generation);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LBM_ZK", zkConnect);
        env.put("LBM_ZK_ROOT", zkRoot);
        env.put("LBM_GROUP", group);
        env.put("LBM_HOST", HOST);
        env.putAll(agentEnv);
        if (zones.containsKey(group)) {
            env.put(AgentEnvironment.ZONE, zones.get(group));
        }
        env.putAll(extraEnv);
        env.put("LBM_AGENT_ID", taskId);
        env.put("PORT0", Integer.toString(trafficPort));
        env.put("PORT1", Integer.toString(adminPort));
        String containerId = docker.createContainerCmd(taskImage)
                .withName(taskId)
                .withLabels(labels)
                .withEnv(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("host"))
                .exec()
                .getId();
        docker.startContainerCmd(containerId).exec();
        LOG.info("fleet={} group={} task={} state=STARTED trafficPort={} adminPort={} image={} generation={}",
                fleetName, group, taskId, trafficPort, adminPort, taskImage, generation);
        return new NginxTask(taskId, group, HOST, trafficPort, adminPort, taskImage, true, generation);
    }

    /** The group's lowest free stable port if it has stable ports, else a free port of the dynamic range (never a stable one). */
    private int trafficPort(String group, Set<Integer> taken) {
        if (stablePorts.has(group)) {
            return stablePorts.free(group, taken, port -> !ports.nothingListensOn(port))
                    .orElseThrow(() -> new IllegalStateException(stablePorts.whyNoneFree(group, taken)));
        }
        Set<Integer> notStable = new HashSet<>(taken);
        notStable.addAll(stablePorts.all());
        return ports.allocate(notStable);
    }

    @Override
    public void stopTask(String taskId) {
        try {
            docker.stopContainerCmd(taskId).withTimeout(10).exec();
        } catch (NotModifiedException alreadyStopped) {
            // fine: we remove it next
        } catch (NotFoundException gone) {
            return;
        }
        try {
            docker.removeContainerCmd(taskId).withForce(true).exec();
            LOG.info("fleet={} task={} state=REMOVED", fleetName, taskId);
        } catch (NotFoundException gone) {
            // removed concurrently
        }
    }

    /** Removes every container of this fleet, running or not (demo shutdown, test clean-up). */
    public void removeAllTasks() {
        for (Container container : containers(Map.of(LABEL_FLEET, fleetName))) {
            try {
                docker.removeContainerCmd(container.getId()).withForce(true).exec();
            } catch (NotFoundException gone) {
                // removed concurrently
            }
        }
    }

    private List<Container> containers(Map<String, String> labels) {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec();
    }

    private Set<Integer> portsOfFleet() {
        Set<Integer> taken = new HashSet<>();
        for (NginxTask task : allTasks()) {
            taken.add(task.trafficPort());
            taken.add(task.adminPort());
        }
        return taken;
    }

    private NginxTask toTask(Container container) {
        Map<String, String> labels = container.getLabels();
        return new NginxTask(
                labels.getOrDefault(LABEL_TASK, container.getId()),
                labels.get(LABEL_GROUP),
                HOST,
                portLabel(labels, LABEL_TRAFFIC_PORT),
                portLabel(labels, LABEL_ADMIN_PORT),
                container.getImage(),
                "running".equals(container.getState()),
                labels.getOrDefault(LABEL_GENERATION, ""));
    }

    private static int portLabel(Map<String, String> labels, String name) {
        try {
            return Integer.parseInt(labels.getOrDefault(name, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String requireName(String what, String value) {
        if (value == null || !value.matches(NAME_PATTERN)) {
            throw new IllegalArgumentException(what + " must match " + NAME_PATTERN + ", was '" + value + "'");
        }
        return value;
    }
}
