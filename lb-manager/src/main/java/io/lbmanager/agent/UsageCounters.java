package io.lbmanager.agent;

import io.lbmanager.contract.UsageRecord.ServiceUsage;

import java.util.HashMap;
import java.util.Map;

/**
 * One reading of {@code GET /_lbm/usage}: the id of the Nginx start and every service's counters since it.
 * Lines that are not {@code <service> <eight numbers>} are skipped.
 */
record UsageCounters(String epoch, Map<String, ServiceUsage> services) {

    UsageCounters {
        services = Map.copyOf(services);
    }

    static UsageCounters parse(String body) {
        String epoch = null;
        Map<String, ServiceUsage> services = new HashMap<>();
        for (String line : body.split("\n")) {
            String[] words = line.strip().split("\\s+");
            if (words.length == 2 && words[0].equals("epoch")) {
                epoch = words[1];
            } else if (words.length == 9) {
                try {
                    long[] n = new long[8];
                    for (int i = 0; i < 8; i++) {
                        n[i] = Long.parseLong(words[i + 1]);
                    }
                    services.put(words[0], new ServiceUsage(n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], 0, 0));
                } catch (NumberFormatException notALine) {
                    // not from lbm.report_usage(): ignored
                }
            }
        }
        if (epoch == null || epoch.equals("none")) {
            throw new IllegalArgumentException("no usage epoch in the answer (is lbm_usage declared?)");
        }
        return new UsageCounters(epoch, services);
    }
}
