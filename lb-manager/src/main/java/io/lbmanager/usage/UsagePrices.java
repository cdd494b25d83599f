package io.lbmanager.usage;

import io.lbmanager.contract.UsageRecord.ServiceUsage;

/** Operator-set prices per unit; a GB is 10^9 bytes. */
public record UsagePrices(double perMillionRequests, double perGbOut, double perGbIn, double perCoreHour, double perGbHourMemory) {

    public static final UsagePrices FREE = new UsagePrices(0, 0, 0, 0, 0);

    /** What one total costs, by part. */
    public record Cost(double requests, double bytesOut, double bytesIn, double cpu, double memory) {
        public double total() {
            return requests + bytesOut + bytesIn + cpu + memory;
        }
    }

    public Cost costOf(ServiceUsage usage) {
        return new Cost(usage.requests() / 1e6 * perMillionRequests, usage.bytesOut() / 1e9 * perGbOut, usage.bytesIn() / 1e9 * perGbIn,
                usage.cpuSeconds() / 3600 * perCoreHour, usage.memoryGbSeconds() / 3600 * perGbHourMemory);
    }
}
