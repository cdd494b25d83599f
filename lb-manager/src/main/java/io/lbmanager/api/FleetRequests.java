package io.lbmanager.api;

/** Request bodies of {@code /api/v1/fleet/{group}/...}. */
public final class FleetRequests {

    private FleetRequests() {
    }

    /** {@code POST .../upgrade}: the image, and optionally how to step, bake and gate, and how many task failures to tolerate. */
    public record Upgrade(String image, Integer stepSize, Integer bakeSeconds, Double maxErrorRate, Integer crashBudget) {
    }

    /** {@code PUT .../scale}. */
    public record Scale(Integer instances) {
    }

    /** {@code PUT .../block}. */
    public record Block(String reason) {
    }
}
