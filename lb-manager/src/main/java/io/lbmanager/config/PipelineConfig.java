package io.lbmanager.config;

import jakarta.validation.constraints.Min;

/** How changes are coalesced into renders: wait for {@code quietMillis} of calm, but never longer than {@code maxDelayMillis}. */
public class PipelineConfig {

    @Min(0)
    public long quietMillis = 100;

    @Min(1)
    public long maxDelayMillis = 1000;

    /** Published versions kept per group in ZooKeeper. */
    @Min(2)
    public int versionsKept = 20;
}
