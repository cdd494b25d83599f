package io.lbmanager.contract;

import java.util.List;

/**
 * An agent's answer to {@code GET /wakes}: the hibernated services its Nginx received a request for
 * (each reported by Nginx once per wake timeout, however many requests came).
 */
public record WakeRequests(String agentId, List<String> services) {

    public WakeRequests {
        services = services == null ? List.of() : List.copyOf(services);
    }
}
