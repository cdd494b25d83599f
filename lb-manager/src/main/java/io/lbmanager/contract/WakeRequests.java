package io.lbmanager.contract;

import java.util.List;

/**
 * An agent's answer to {@code GET /wakes}.
 *
 * @param services the hibernated services its Nginx received a request for (each reported by Nginx once per
 *                 wake timeout, however many requests came)
 * @param holding  the hibernated or waking services its Nginx holds requests for (as last told by the agent)
 */
public record WakeRequests(String agentId, List<String> services, List<String> holding) {

    public WakeRequests {
        services = services == null ? List.of() : List.copyOf(services);
        holding = holding == null ? List.of() : List.copyOf(holding);
    }
}
