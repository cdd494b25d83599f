package io.lbmanager.fleet;

import java.util.List;
import java.util.Optional;

/**
 * The port every fleet backend offers to the upgrade policy ({@code io.lbmanager.upgrade}), which
 * lives once above it. A backend runs <em>generations</em>: a generation is every task of a group
 * running one image. A group has one active generation and at most one pending one; the policy
 * starts a pending generation, raises how many of its tasks should be active step by step
 * (the backend retires old tasks as new ones become healthy), and cancels it when a gate fails,
 * which leaves the active generation serving. Docker: containers labelled with the generation
 * ({@link DockerFleetBackend}). Singularity: a deploy with canaryDeploySettings whose steps are
 * advanced with {@code POST /api/deploys/update} ({@link io.lbmanager.fleet.singularity.SingularityFleet}).
 */
public interface FleetBackend {

    /** {@code docker} or {@code singularity}. */
    String kind();

    /** What runs now: the active image, the instance count, the pending generation if any. */
    GroupDeployment deployment(String group);

    /** Tasks that are running and not being retired (draining tasks are left out, as an upstream LB would). */
    List<NginxTask> tasks(String group);

    /** Starts a pending generation of {@code spec.image()} with {@code spec.firstTarget()} active instances. */
    void startGeneration(String group, GenerationSpec spec);

    /** Sets how many tasks of the pending generation should be active; old ones are retired as new ones get healthy. */
    void setGenerationTarget(String group, String generationId, int activeInstances);

    /**
     * Called on every tick after the last step's new tasks passed, until the generation is active: a backend
     * that would stop the remaining old tasks itself, at once and undrained, when it makes the generation
     * active retires them here first, drained (Singularity). Docker drains every task it retires anyway.
     */
    default void retireBeforeActivation(String group, String generationId) {
    }

    /** Abandons the pending generation; its tasks go, the active generation stays (and is refilled). */
    void cancelGeneration(String group, String generationId);

    /** Where the generation is: in progress, succeeded (it is the active one now), failed or cancelled. */
    GenerationProgress progress(String group, String generationId);

    /** Sets the group's instance count. */
    void scale(String group, int instances);

    /**
     * Failures of the generation's tasks seen so far (exits, crashes, tasks that never started),
     * oldest first; the policy fails the step when they exceed the upgrade's crash budget. A backend
     * that enforces the budget itself (Singularity) reports them in {@link GenerationProgress.Failed}.
     */
    default List<TaskFailure> failures(String group, String generationId) {
        return List.of();
    }

    /** The last lines a task printed, sanitized, where the backend can read them cheaply; empty otherwise. */
    default List<String> recentOutput(NginxTask task) {
        return List.of();
    }

    /**
     * Why {@code image} cannot run on this backend, checked before any task is touched, phrased to
     * follow the word "image" ({@code x:1 not found on the Docker engine}); empty when fine or unknowable.
     */
    default Optional<String> imageProblem(String image) {
        return Optional.empty();
    }
}
