package io.lbmanager.fleet;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.zk.ZkNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@link FleetBackend} on the local Docker engine: a generation is the set of containers labelled
 * with its id. Each pass over a group (on a schedule and on every call) removes dead containers,
 * starts what is missing, and retires old containers only once the new ones answer {@code /ready}.
 * A retired container is first left out of {@link #tasks} (drained) and stopped after the drain
 * time, the way Singularity takes a task out of the load balancer before killing it. Like
 * Singularity's TIMED acceptance, the last step of a generation becomes active only after its
 * hold time; re-setting the same target restarts the hold. Unlike Singularity it never advances
 * a step by itself. A container that dies is read before it is removed (exit status, last output)
 * and reported as a failure of its generation; its replacement waits an exponential back-off.
 */
public final class DockerFleetBackend implements FleetBackend, Managed, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DockerFleetBackend.class);
    private static final String FIRST_GENERATION = "g0";

    private final DockerTaskRunner fleet;
    private final ZkNodes store;
    private final ZkLayout layout;
    private final TaskProbes probes;
    private final Duration drain;
    private final Map<String, Integer> defaultInstances;
    private final Set<String> groups = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> drainingUntil = new ConcurrentHashMap<>();
    private final GenerationFailures failures = new GenerationFailures(new CrashBackoff(CrashBackoff.FIRST, CrashBackoff.MAX));
    private final ReadinessWatch readiness = new ReadinessWatch();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "docker-generations");
        thread.setDaemon(true);
        return thread;
    });
    private Duration checkEvery = Duration.ofSeconds(2);

    /**
     * @param defaultInstances instances per group until the group is scaled (a group's state in ZooKeeper wins)
     * @param drain            how long a retired container stays out of {@link #tasks} before it is stopped
     */
    public DockerFleetBackend(DockerTaskRunner fleet, ZkNodes store, ZkLayout layout, Map<String, Integer> defaultInstances,
                             Duration drain) {
        this.fleet = fleet;
        this.store = store;
        this.layout = layout;
        this.probes = new TaskProbes(Duration.ofSeconds(1));
        this.drain = drain;
        this.defaultInstances = Map.copyOf(defaultInstances);
        groups.addAll(defaultInstances.keySet());
    }

    public DockerFleetBackend checkingEvery(Duration every) {
        this.checkEvery = every;
        return this;
    }

    @Override
    public String kind() {
        return "docker";
    }

    @Override
    public void start() {
        scheduler.scheduleWithFixedDelay(this::reconcileAllSafely, 0, checkEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        close();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    @Override
    public GroupDeployment deployment(String group) {
        DockerGroupState state = load(group);
        return new GroupDeployment(group, state.activeImage(), state.instances(),
                Optional.ofNullable(state.pending()).map(DockerGroupState.Pending::id));
    }

    @Override
    public List<NginxTask> tasks(String group) {
        return fleet.tasks(group).stream()
                .filter(NginxTask::running)
                .filter(task -> !drainingUntil.containsKey(task.taskId()))
                .toList();
    }

    @Override
    public synchronized void startGeneration(String group, GenerationSpec spec) {
        DockerGroupState state = load(group);
        if (state.pending() != null) {
            throw new IllegalStateException("group " + group + " already rolls out generation " + state.pending().id());
        }
        if (state.results().containsKey(spec.id()) || spec.id().equals(state.activeGeneration())) {
            throw new IllegalArgumentException("generation id " + spec.id() + " was used before");
        }
        save(group, state.withPending(new DockerGroupState.Pending(spec.id(), spec.image(),
                Math.min(spec.firstTarget(), Math.max(state.instances(), 1)), spec.stepHoldMillis(), 0)));
        LOG.info("fleet=docker group={} generation={} state=STARTED image={} target={}", group, spec.id(), spec.image(),
                spec.firstTarget());
        reconcile(group);
    }

    @Override
    public synchronized void setGenerationTarget(String group, String generationId, int activeInstances) {
        DockerGroupState state = load(group);
        DockerGroupState.Pending pending = requirePending(group, state, generationId);
        int target = Math.max(1, Math.min(activeInstances, state.instances()));
        save(group, state.withPending(pending.withTarget(target)));
        reconcile(group);
    }

    @Override
    public synchronized void cancelGeneration(String group, String generationId) {
        DockerGroupState state = load(group);
        if (state.pending() == null || !state.pending().id().equals(generationId)) {
            return;
        }
        save(group, state.finishPending(DockerGroupState.CANCELLED));
        failures.forget(generationId);
        LOG.info("fleet=docker group={} generation={} state=CANCELLED", group, generationId);
        reconcile(group);
    }

    @Override
    public synchronized GenerationProgress progress(String group, String generationId) {
        reconcile(group);
        DockerGroupState state = load(group);
        if (state.pending() != null && state.pending().id().equals(generationId)) {
            return new GenerationProgress.InProgress(state.pending().target(), state.pending().launchCompleteAtMillis() > 0);
        }
        if (generationId.equals(state.activeGeneration())) {
            return new GenerationProgress.Succeeded();
        }
        String result = state.results().get(generationId);
        if (result == null) {
            return new GenerationProgress.Unknown("no generation " + generationId + " in group " + group);
        }
        return result.equals(DockerGroupState.SUCCEEDED) ? new GenerationProgress.Succeeded()
                : new GenerationProgress.Cancelled(result);
    }

    @Override
    public synchronized void scale(String group, int instances) {
        if (instances < 0) {
            throw new IllegalArgumentException("instances must be >= 0");
        }
        try {
            fleet.stablePorts().requireRoomFor(group, instances);
        } catch (IllegalArgumentException tooFewPorts) {
            throw new BackendRefusedException(kind(), 409, tooFewPorts.getMessage(), tooFewPorts.getMessage());
        }
        save(group, load(group).withInstances(instances));
        LOG.info("fleet=docker group={} instances={} state=SCALED", group, instances);
        reconcile(group);
    }

    /** One pass over one group; public for tests. */
    public synchronized void reconcile(String group) {
        groups.add(group);
        stopDrainedAndDead(group);
        List<NginxTask> live = tasks(group);
        DockerGroupState state = load(group);
        if (state.pending() == null) {
            keepActiveGeneration(group, state, live);
            return;
        }
        DockerGroupState.Pending pending = state.pending();
        String pendingId = pending.id();
        List<NginxTask> fresh = ofGeneration(live, pendingId);
        List<NginxTask> old = live.stream().filter(task -> !task.generation().equals(pendingId)).toList();
        for (int i = fresh.size(); i < pending.target(); i++) {
            startUnlessBackingOff(group, pending.image(), pending.id());
        }
        if (countReadyWatching(group, fresh) < pending.target()) {
            return;
        }
        long now = System.currentTimeMillis();
        if (pending.launchCompleteAtMillis() == 0) {
            pending = pending.launchCompleteAt(now);
            save(group, state.withPending(pending));
            state = load(group);
        }
        retire(oldestFirst(old, state.activeGeneration()), Math.max(state.instances() - pending.target(), 0));
        boolean lastStep = pending.target() >= state.instances();
        if (lastStep && now - pending.launchCompleteAtMillis() >= pending.holdMillis()) {
            retire(old, 0);
            save(group, state.finishPending(DockerGroupState.SUCCEEDED));
            failures.forget(pending.id());
            LOG.info("fleet=docker group={} generation={} state=SUCCEEDED image={}", group, pending.id(), pending.image());
        }
    }

    private void keepActiveGeneration(String group, DockerGroupState state, List<NginxTask> live) {
        List<NginxTask> active = ofGeneration(live, state.activeGeneration());
        List<NginxTask> others = live.stream().filter(task -> !task.generation().equals(state.activeGeneration())).toList();
        for (int i = active.size(); i < state.instances(); i++) {
            startUnlessBackingOff(group, state.activeImage(), state.activeGeneration());
        }
        if (!failures.of(state.activeGeneration()).isEmpty() && active.size() >= state.instances()
                && countReady(active) >= state.instances()) {
            failures.forget(state.activeGeneration());
        }
        if (active.size() > state.instances()) {
            retire(active, state.instances());
        }
        if (!others.isEmpty() && countReady(active) >= Math.min(state.instances(), active.size())) {
            retire(others, 0);
        }
    }

    /** Leaves {@code keep} tasks (the last ones of the list) and drains the rest. */
    private void retire(List<NginxTask> tasks, int keep) {
        long until = System.currentTimeMillis() + drain.toMillis();
        for (NginxTask task : tasks.subList(0, Math.max(tasks.size() - keep, 0))) {
            if (drainingUntil.putIfAbsent(task.taskId(), until) == null) {
                LOG.info("fleet=docker group={} task={} generation={} state=DRAINING", task.group(), task.taskId(),
                        task.generation());
            }
        }
    }

    private void stopDrainedAndDead(String group) {
        long now = System.currentTimeMillis();
        for (NginxTask task : fleet.tasks(group)) {
            Long until = drainingUntil.get(task.taskId());
            if (!task.running() || (until != null && until <= now)) {
                if (!task.running() && until == null) {
                    failures.record(group, task.generation(), fleet.postMortem().of(task.taskId(), now));
                }
                fleet.stopTask(task.taskId());
                drainingUntil.remove(task.taskId());
            }
        }
    }

    @Override
    public List<TaskFailure> failures(String group, String generationId) {
        return failures.of(generationId);
    }

    @Override
    public List<String> recentOutput(NginxTask task) {
        return fleet.postMortem().lastOutput(task.taskId());
    }

    @Override
    public Optional<String> imageProblem(String image) {
        return fleet.postMortem().imageProblem(image);
    }

    /** Starts a task of the generation unless it crashed recently (exponential back-off); a start that fails is a failure. */
    private void startUnlessBackingOff(String group, String image, String generation) {
        if (!failures.mayStart(generation)) {
            return;
        }
        try {
            fleet.startTask(group, image, generation, Map.of());
        } catch (RuntimeException e) {
            failures.record(group, generation, ContainerPostMortem.notStarted(image, e, System.currentTimeMillis()));
        }
    }

    /** Counts the pending generation's ready tasks; a task that stops being ready is a failure of the generation. */
    private int countReadyWatching(String group, List<NginxTask> fresh) {
        long now = System.currentTimeMillis();
        int ready = 0;
        for (NginxTask task : fresh) {
            boolean isReady = probes.ready(task);
            if (isReady) {
                ready++;
            }
            readiness.observe(task, isReady, probes, now).ifPresent(failure -> failures.record(group, task.generation(), failure));
        }
        readiness.keepOnly(fresh.stream().map(NginxTask::taskId).toList());
        return ready;
    }

    private int countReady(List<NginxTask> tasks) {
        int ready = 0;
        for (NginxTask task : tasks) {
            if (probes.ready(task)) {
                ready++;
            }
        }
        return ready;
    }

    private static List<NginxTask> ofGeneration(List<NginxTask> tasks, String generation) {
        return tasks.stream().filter(task -> task.generation().equals(generation)).toList();
    }

    /** Tasks of other generations than the active one go first (leftovers of a cancelled rollout). */
    private static List<NginxTask> oldestFirst(List<NginxTask> old, String activeGeneration) {
        List<NginxTask> sorted = new ArrayList<>(old);
        sorted.sort(Comparator.comparing(task -> task.generation().equals(activeGeneration)));
        return sorted;
    }

    private DockerGroupState.Pending requirePending(String group, DockerGroupState state, String generationId) {
        if (state.pending() == null || !state.pending().id().equals(generationId)) {
            throw new IllegalStateException("generation " + generationId + " is not pending in group " + group);
        }
        return state.pending();
    }

    private DockerGroupState load(String group) {
        return store.readJson(layout.fleetDockerState(group), DockerGroupState.class)
                .orElseGet(() -> new DockerGroupState(fleet.image(), FIRST_GENERATION,
                        defaultInstances.getOrDefault(group, 0), null, Map.of()));
    }

    private void save(String group, DockerGroupState state) {
        store.writeJson(layout.fleetDockerState(group), state);
    }

    private void reconcileAllSafely() {
        for (String group : groups) {
            try {
                reconcile(group);
            } catch (RuntimeException e) {
                LOG.warn("fleet=docker group={} reconcile failed: {}", group, e.toString());
            }
        }
    }
}
