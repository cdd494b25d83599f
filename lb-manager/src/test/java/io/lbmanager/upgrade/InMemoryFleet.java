package io.lbmanager.upgrade;

import io.lbmanager.fleet.FleetBackend;
import io.lbmanager.fleet.GenerationProgress;
import io.lbmanager.fleet.GenerationSpec;
import io.lbmanager.fleet.GroupDeployment;
import io.lbmanager.fleet.NginxTask;
import io.lbmanager.fleet.TaskFailure;
import io.lbmanager.fleet.TaskHealth;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One group's fleet in memory, with the generation rules the real backends follow: new tasks up to
 * the target, old ones retired once the new ones are healthy, the last step active after its hold.
 * Images in {@link #unhealthyImages} never get ready; {@link #failingTraffic} answer 500 through traffic;
 * {@link #failures} are what the backend reports about a generation's tasks.
 */
final class InMemoryFleet implements FleetBackend, TaskHealth {

    record Pending(String id, String image, int target, long hold, long launchCompleteAt) {
    }

    final AtomicLong clock = new AtomicLong(1_000_000);
    final Set<String> unhealthyImages = new HashSet<>();
    final Set<String> failingTraffic = new HashSet<>();
    final List<NginxTask> tasks = new ArrayList<>();
    final Map<String, GenerationProgress> results = new HashMap<>();
    final List<String> calls = new ArrayList<>();
    final Map<String, List<TaskFailure>> failures = new HashMap<>();
    String activeImage = "nginx:1";
    String activeGeneration = "g0";
    int instances;
    Pending pending;
    GenerationSpec lastSpec;
    /** When set, scale throws it, as a scheduler that refuses the count does. */
    RuntimeException scaleRefusal;
    private int started;

    InMemoryFleet(int instances) {
        this.instances = instances;
        settle();
    }

    @Override
    public String kind() {
        return "memory";
    }

    @Override
    public GroupDeployment deployment(String group) {
        return new GroupDeployment(group, activeImage, instances, Optional.ofNullable(pending).map(Pending::id));
    }

    @Override
    public List<NginxTask> tasks(String group) {
        settle();
        return List.copyOf(tasks);
    }

    @Override
    public void startGeneration(String group, GenerationSpec spec) {
        calls.add("start " + spec.id() + " " + spec.image() + " " + spec.firstTarget());
        lastSpec = spec;
        pending = new Pending(spec.id(), spec.image(), spec.firstTarget(), spec.stepHoldMillis(), 0);
        settle();
    }

    @Override
    public void setGenerationTarget(String group, String generationId, int activeInstances) {
        calls.add("target " + generationId + " " + activeInstances);
        pending = new Pending(pending.id(), pending.image(), activeInstances, pending.hold(), 0);
        settle();
    }

    @Override
    public void cancelGeneration(String group, String generationId) {
        calls.add("cancel " + generationId);
        if (pending != null && pending.id().equals(generationId)) {
            results.put(generationId, new GenerationProgress.Cancelled("cancelled"));
            pending = null;
            settle();
        }
    }

    @Override
    public GenerationProgress progress(String group, String generationId) {
        settle();
        if (pending != null && pending.id().equals(generationId)) {
            return new GenerationProgress.InProgress(pending.target(), pending.launchCompleteAt() > 0);
        }
        return results.getOrDefault(generationId, new GenerationProgress.Unknown("unknown " + generationId));
    }

    @Override
    public void scale(String group, int count) {
        if (scaleRefusal != null) {
            throw scaleRefusal;
        }
        instances = count;
        settle();
    }

    @Override
    public List<TaskFailure> failures(String group, String generationId) {
        return failures.getOrDefault(generationId, List.of());
    }

    @Override
    public Optional<String> imageProblem(String image) {
        return image.endsWith(":missing") ? Optional.of(image + " not found") : Optional.empty();
    }

    @Override
    public List<String> recentOutput(NginxTask task) {
        return unhealthyImages.contains(task.image()) ? List.of("bind() to 127.0.0.1:" + task.trafficPort()
                + " failed (98: Address already in use)") : List.of();
    }

    @Override
    public String notReadyReason(NginxTask task) {
        return "/ready answered 503 nginx failed to start";
    }

    @Override
    public boolean ready(NginxTask task) {
        return !unhealthyImages.contains(task.image());
    }

    @Override
    public int throughTraffic(NginxTask task, String path) {
        return failingTraffic.contains(task.image()) ? 500 : 200;
    }

    /** The backend ends the pending generation on its own (its own timer, an operator at the scheduler). */
    void endPendingByItself(GenerationProgress result) {
        results.put(pending.id(), result);
        if (result instanceof GenerationProgress.Succeeded) {
            activeImage = pending.image();
            activeGeneration = pending.id();
        }
        pending = null;
        settle();
    }

    long countImage(String image) {
        return tasks.stream().filter(task -> task.image().equals(image)).count();
    }

    private void settle() {
        if (pending == null) {
            tasks.removeIf(task -> !task.generation().equals(activeGeneration));
            while (ofGeneration(activeGeneration).size() < instances) {
                add(activeImage, activeGeneration);
            }
            while (ofGeneration(activeGeneration).size() > instances) {
                tasks.remove(ofGeneration(activeGeneration).get(0));
            }
            return;
        }
        while (ofGeneration(pending.id()).size() < pending.target()) {
            add(pending.image(), pending.id());
        }
        if (unhealthyImages.contains(pending.image())) {
            return;
        }
        if (pending.launchCompleteAt() == 0) {
            pending = new Pending(pending.id(), pending.image(), pending.target(), pending.hold(), clock.get());
        }
        List<NginxTask> old = tasks.stream().filter(task -> !task.generation().equals(pending.id())).toList();
        int keep = Math.max(instances - pending.target(), 0);
        for (NginxTask task : old.subList(0, Math.max(old.size() - keep, 0))) {
            tasks.remove(task);
        }
        if (pending.target() >= instances && clock.get() - pending.launchCompleteAt() >= pending.hold()) {
            results.put(pending.id(), new GenerationProgress.Succeeded());
            activeImage = pending.image();
            activeGeneration = pending.id();
            pending = null;
        }
    }

    private List<NginxTask> ofGeneration(String generation) {
        return tasks.stream().filter(task -> task.generation().equals(generation)).toList();
    }

    private void add(String image, String generation) {
        started++;
        tasks.add(new NginxTask("t" + started, "edge", "127.0.0.1", 10_000 + started, 20_000 + started, image, true, generation));
    }
}
