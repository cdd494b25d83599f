package io.lbmanager.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * Chargeback: what the LB fleet's use costs (operator-set prices per unit; a GB is 10^9 bytes),
 * how long the agents' usage records are kept, and how many services get their own Prometheus series.
 */
public class UsageConfig {

    @PositiveOrZero
    public double pricePerMillionRequests = 0;

    @PositiveOrZero
    public double pricePerGbOut = 0;

    @PositiveOrZero
    public double pricePerGbIn = 0;

    /** Per core-hour of the Nginx fleet's CPU, apportioned to services by their share of requests. */
    @PositiveOrZero
    public double pricePerCoreHour = 0;

    /** Per GB-hour of the Nginx fleet's resident memory, apportioned the same way. */
    @PositiveOrZero
    public double pricePerGbHourMemory = 0;

    /** Usage records older than this are deleted from ZooKeeper (reports reach back this far). */
    @Min(1)
    @Max(3660)
    public int retentionDays = 35;

    /** Services with their own Prometheus usage series (the most requested); the rest are summed as "other". */
    @Min(1)
    @Max(1000)
    public int metricsTopServices = 20;
}
