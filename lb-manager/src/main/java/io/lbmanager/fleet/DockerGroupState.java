package io.lbmanager.fleet;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link DockerFleetBackend} keeps per group in ZooKeeper, so a restarted manager picks up a
 * half-done generation: the active image and generation, the instance count, the pending
 * generation, and how recent generations ended ({@code SUCCEEDED}, {@code CANCELLED: why}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DockerGroupState(String activeImage, String activeGeneration, int instances, Pending pending,
                               Map<String, String> results) {

    private static final int RESULTS_KEPT = 20;

    /** A generation being rolled out; {@code launchCompleteAtMillis} is 0 until its target tasks are all ready. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Pending(String id, String image, int target, long holdMillis, long launchCompleteAtMillis) {

        Pending withTarget(int newTarget) {
            return new Pending(id, image, newTarget, holdMillis, 0);
        }

        Pending launchCompleteAt(long millis) {
            return new Pending(id, image, target, holdMillis, millis);
        }
    }

    public DockerGroupState {
        results = results == null ? Map.of() : Map.copyOf(results);
    }

    DockerGroupState withPending(Pending newPending) {
        return new DockerGroupState(activeImage, activeGeneration, instances, newPending, results);
    }

    DockerGroupState withInstances(int newInstances) {
        return new DockerGroupState(activeImage, activeGeneration, newInstances, pending, results);
    }

    /** The pending generation ended: it becomes active when it succeeded, else the active one stays. */
    DockerGroupState finishPending(String result) {
        Map<String, String> kept = new LinkedHashMap<>(results);
        kept.put(pending.id(), result);
        while (kept.size() > RESULTS_KEPT) {
            kept.remove(kept.keySet().iterator().next());
        }
        boolean succeeded = result.equals(SUCCEEDED);
        return new DockerGroupState(succeeded ? pending.image() : activeImage, succeeded ? pending.id() : activeGeneration,
                instances, null, kept);
    }

    static final String SUCCEEDED = "SUCCEEDED";
    static final String CANCELLED = "CANCELLED";
}
