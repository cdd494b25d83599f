package io.lbmanager.api.view;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Where a service's traffic goes, per LB group: the peers each Nginx of the group really routes to
 * (the peer-list version each agent confirmed, or the config version it serves), why there are
 * none, quarantined or held with the reason, and requests per second and error rate from the
 * Nginx fleet. {@code GET /api/v1/services/{id}/routing} and {@code GET /api/v1/routing}.
 */
public final class UpstreamsView {

    private UpstreamsView() {
    }

    public enum State {
        /** Nginx routes the service to its peers. */
        ROUTED,
        /** Routed, at instances the empty-list guard holds (see heldReason). */
        HELD,
        /** No peer: requests get {@link #NO_UPSTREAMS_STATUS}. */
        NO_UPSTREAMS,
        /** Left out of the group's config (see errors). */
        QUARANTINED,
        /** Not in the group's published config or peer lists yet. */
        NOT_PUBLISHED
    }

    public static final int NO_UPSTREAMS_STATUS = 503;
    public static final String NO_UPSTREAMS_MESSAGE = "no upstreams: requests get " + NO_UPSTREAMS_STATUS;

    /** @param traffic summed over the service's groups; null when no Nginx counts its requests */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Service(String id, Traffic traffic, List<Group> groups) {
    }

    /**
     * @param mode            {@code dynamic} (peer lists pushed to the Lua balancer) or {@code rendered} (the
     *                        upstream block of the config version, reloaded)
     * @param peerListVersion the published peer list's version, in the dynamic mode
     * @param configVersion   the group's target config version
     * @param peers           what the group's Nginx fleet should route to now
     * @param agentsCurrent   Nginx instances that serve the target config version and (dynamic mode) confirmed the peer list
     * @param agents          each Nginx of the group; left out of {@code GET /api/v1/routing}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Group(String group, String mode, State state, String message, List<ConfigErrorView> errors, String heldReason,
                        Long peerListVersion, Long configVersion, List<Peer> peers, int agentsCurrent, int agentsTotal,
                        List<Agent> agents, Traffic traffic) {
    }

    /**
     * @param source {@code static} (added through the API), {@code discovery}, {@code held} (discovered, held by the guard) or {@code unknown} (no longer in the catalog)
     * @param zone   the peer's zone (dynamic mode, zone rules configured); absent: no known zone
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Peer(String host, int port, int weight, String source, String zone) {

        public Peer(String host, int port, int weight, String source) {
            this(host, port, weight, source, null);
        }
    }

    /**
     * How one Nginx with a zone routed the service since it started.
     *
     * @param local   requests answered by a peer of the Nginx's own zone
     * @param spilled requests sent to a peer of another zone (own zone empty, or fewer healthy peers than the panic threshold)
     */
    public record ZoneRouting(long local, long spilled) {
    }

    /**
     * One Nginx of the group.
     *
     * @param current         it routes to the group's {@code peers} now: it serves the target config version and (dynamic
     *                        mode) confirmed the published peer list
     * @param peerListVersion the version of the service's peer list it confirmed (dynamic mode)
     * @param configVersion   the config version it serves
     * @param routesTo        what its balancer picks from (dynamic mode: read from Nginx), or the rendered peers of the
     *                        config version it serves when that is the target
     * @param error           why its Nginx could not be asked
     * @param zone            the zone of its Nginx task; absent: none
     * @param zoneRouting     with a zone and zoned peers: how many requests stayed in its zone and how many spilled
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Agent(String agentId, String host, int trafficPort, boolean current, Long peerListVersion, long configVersion,
                        List<Peer> routesTo, Traffic traffic, String error, String zone, ZoneRouting zoneRouting) {
    }

    /**
     * @param errorRate     share of requests answered 5xx over the window, 0..1
     * @param windowSeconds the span the rates are measured over
     */
    public record Traffic(double requestsPerSecond, double errorRate, long requests, long errors, double windowSeconds) {
    }

    public record Overview(List<Service> services) {
    }
}
