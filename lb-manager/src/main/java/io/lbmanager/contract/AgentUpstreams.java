package io.lbmanager.contract;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * What an agent's Nginx routes to and how much, as the agent answers on {@code GET /upstreams} of
 * its admin port: read from Nginx itself (its {@code lbm_peers} and {@code lbm_stats} dicts), at
 * most once a second however often it is asked. One entry per service the Nginx holds peers or
 * counters of, so its size is bounded by the services of the group.
 *
 * @param upstreams       {@value AgentStatus#UPSTREAMS_DYNAMIC} or {@value AgentStatus#UPSTREAMS_RELOAD}; in the reload
 *                        mode Nginx routes to its rendered config and has no counters, so {@code services} is empty
 * @param windowSeconds   the span the rates are measured over (0 until two samples exist)
 * @param error           why Nginx could not be read, when it could not
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentUpstreams(String agentId, String group, String upstreams, long sampledAtMillis, double windowSeconds, String error,
                             Map<String, Service> services) {

    public AgentUpstreams {
        services = services == null ? Map.of() : Map.copyOf(services);
    }

    /**
     * @param peerListVersion the version (the ZooKeeper node's modification zxid) of the service's peer list this
     *                        agent last pushed into Nginx and Nginx accepted; 0 when none
     * @param peers           what Nginx's balancer picks from now, {@code host:port:weight} ({@code host:port:weight:zone} with zones)
     * @param requests        requests since Nginx started; {@code errors} of them answered 5xx
     * @param zoneLocal       with zones: requests since Nginx started answered by a peer of its own zone; absent without zones
     * @param zoneSpilled     with zones: requests since Nginx started that spilled to a peer of another zone
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Service(long peerListVersion, List<String> peers, long requests, long errors, double requestsPerSecond,
                          double errorsPerSecond, Long zoneLocal, Long zoneSpilled) {

        public Service {
            peers = peers == null ? List.of() : List.copyOf(peers);
        }

        public Service(long peerListVersion, List<String> peers, long requests, long errors, double requestsPerSecond,
                       double errorsPerSecond) {
            this(peerListVersion, peers, requests, errors, requestsPerSecond, errorsPerSecond, null, null);
        }
    }
}
