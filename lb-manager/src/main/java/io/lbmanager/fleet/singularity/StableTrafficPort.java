package io.lbmanager.fleet.singularity;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.OptionalInt;
import java.util.Set;

/**
 * A Singularity 1.5 deploy cannot reserve a literal host port with HOST networking (its Resources
 * know only {@code numPorts}), so a group with a stable address runs its Nginx on a fixed port
 * outside the agents' offered port range, named in the deploy's environment, with at most one task
 * of the request per host (its {@code agentPlacement}).
 */
final class StableTrafficPort {

    /** The agent's traffic port when set; it wins over {@code PORT0}. */
    static final String ENV = "LBM_TRAFFIC_PORT";

    private static final Set<String> ONE_PER_HOST = Set.of("SEPARATE", "SEPARATE_BY_REQUEST");

    private StableTrafficPort() {
    }

    /** The fixed traffic port a deploy's tasks listen on, if it sets one. */
    static OptionalInt of(JsonNode deploy) {
        if (deploy == null) {
            return OptionalInt.empty();
        }
        JsonNode value = deploy.path("env").path(ENV);
        if (!value.isTextual() || !value.asText().matches("[0-9]{1,5}")) {
            return OptionalInt.empty();
        }
        int port = Integer.parseInt(value.asText());
        return port >= 1 && port <= 65535 ? OptionalInt.of(port) : OptionalInt.empty();
    }

    /** Two tasks of the group on one host would fight for the port: the request must separate them. */
    static void requireOnePerHost(String requestId, String agentPlacement) {
        if (agentPlacement == null || !ONE_PER_HOST.contains(agentPlacement)) {
            throw new IllegalStateException("Singularity request " + requestId + " has agentPlacement " + agentPlacement
                    + "; a group with a stable traffic port (fleet.stablePorts) needs SEPARATE_BY_REQUEST (one task per host)");
        }
    }
}
