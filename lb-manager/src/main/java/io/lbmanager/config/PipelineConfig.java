package io.lbmanager.config;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;

/**
 * How changes are coalesced into renders: wait for {@code quietMillis} of calm, but never longer than
 * {@code maxDelayMillis}; a catalog change through the API after {@code quietMillis} of calm renders at once.
 */
public class PipelineConfig {

    @Min(0)
    public long quietMillis = 100;

    @Min(1)
    public long maxDelayMillis = 1000;

    /** Published versions kept per group in ZooKeeper. */
    @Min(2)
    public int versionsKept = 20;

    /** A rollout not confirmed by every agent within this time reverts the whole group. */
    @Min(1)
    public int rolloutTimeoutSeconds = 30;

    /** More than this share of all discovered instances vanishing at once is treated as a glitch: emptied services are held. */
    @DecimalMin("0.0")
    @DecimalMax("1.0")
    public double discoveryMaxLossShare = 0.5;

    /** The share rule applies from this many discovered instances on. */
    @Min(1)
    public int discoveryGuardMinInstances = 4;

    /** How long a vanished instance counts toward {@code discoveryMaxLossShare}: a wipe reaches us one node at a time. */
    @Min(1)
    public int discoveryLossWindowSeconds = 10;

    /** A loss counts as a mass loss only when at least this many services lose instances within the window. */
    @Min(1)
    public int discoveryGuardMinServices = 2;

    /** A hold ends by itself this long after it began (or after the manager reconnected to ZooKeeper, if later). */
    @Min(1)
    public int discoveryHoldMaxSeconds = 60;

    /** For this long after the manager's own ZooKeeper session was lost, emptied services are held. */
    @Min(0)
    public int sessionLossHoldSeconds = 60;
}
