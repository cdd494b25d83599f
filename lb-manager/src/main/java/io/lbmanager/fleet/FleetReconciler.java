package io.lbmanager.fleet;

import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps N running tasks per group on a backend: a dead task is removed and replaced, missing
 * ones are started, extra ones stopped. Checks on a schedule and whenever a group is scaled.
 */
public final class FleetReconciler implements Managed, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FleetReconciler.class);
    public static final Duration DEFAULT_CHECK_EVERY = Duration.ofSeconds(5);

    /** What one pass did to one group. */
    public record GroupChanges(String group, List<String> removedDead, List<String> started, List<String> stopped) {
        public boolean isEmpty() {
            return removedDead.isEmpty() && started.isEmpty() && stopped.isEmpty();
        }
    }

    private final TaskRunner backend;
    private final Map<String, Integer> desired = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "fleet-reconciler");
        thread.setDaemon(true);
        return thread;
    });

    public FleetReconciler(TaskRunner backend) {
        this(backend, Map.of());
    }

    /** @param tasksPerGroup how many tasks each group runs, until {@link #scale} says otherwise */
    public FleetReconciler(TaskRunner backend, Map<String, Integer> tasksPerGroup) {
        this.backend = backend;
        tasksPerGroup.forEach((group, tasks) -> desired.put(group, requireCount(tasks)));
    }

    /** Dropwizard lifecycle: checks every {@link #DEFAULT_CHECK_EVERY}, the first time at once. */
    @Override
    public void start() {
        start(DEFAULT_CHECK_EVERY);
    }

    /** Stops checking; running tasks keep running (fail static). */
    @Override
    public void stop() {
        close();
    }

    /** Checks every group on this period from now on, the first time at once. */
    public void start(Duration every) {
        scheduler.scheduleWithFixedDelay(this::reconcileAllSafely, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sets how many tasks the group should run and brings it there now. */
    public GroupChanges scale(String group, int tasks) {
        desired.put(group, requireCount(tasks));
        return reconcile(group);
    }

    public Map<String, Integer> desiredTasks() {
        return Map.copyOf(desired);
    }

    /** One pass over one group. */
    public synchronized GroupChanges reconcile(String group) {
        int wanted = desired.getOrDefault(group, 0);
        List<String> removedDead = new ArrayList<>();
        List<String> started = new ArrayList<>();
        List<String> stopped = new ArrayList<>();
        List<NginxTask> running = new ArrayList<>();
        for (NginxTask task : backend.tasks(group)) {
            if (task.running()) {
                running.add(task);
            } else {
                backend.stopTask(task.taskId());
                removedDead.add(task.taskId());
                LOG.warn("fleet group={} task={} state=DEAD action=removed", group, task.taskId());
            }
        }
        for (int i = running.size(); i < wanted; i++) {
            NginxTask task = backend.startTask(group);
            started.add(task.taskId());
        }
        for (NginxTask extra : running.subList(Math.min(wanted, running.size()), running.size())) {
            backend.stopTask(extra.taskId());
            stopped.add(extra.taskId());
        }
        GroupChanges changes = new GroupChanges(group, removedDead, started, stopped);
        if (!changes.isEmpty()) {
            LOG.info("fleet group={} tasks={} removedDead={} started={} stopped={}",
                    group, wanted, removedDead, started, stopped);
        }
        return changes;
    }

    private static int requireCount(Integer tasks) {
        if (tasks == null || tasks < 0) {
            throw new IllegalArgumentException("task count must be >= 0, was " + tasks);
        }
        return tasks;
    }

    private void reconcileAllSafely() {
        for (String group : desired.keySet()) {
            try {
                reconcile(group);
            } catch (RuntimeException e) {
                LOG.warn("fleet group={} reconcile failed: {}", group, e.toString());
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
