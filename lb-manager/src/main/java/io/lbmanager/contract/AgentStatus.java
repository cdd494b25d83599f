package io.lbmanager.contract;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What an agent reports in its ephemeral ZooKeeper node: where its Nginx listens, the config
 * version Nginx actually serves, and the error of its last failed apply.
 *
 * @param runningVersion 0 while no version has been applied yet
 * @param failedVersion  the version whose apply failed last (0 when none has failed since the last success)
 * @param applies        versions applied (each one Nginx reload) since the agent started
 * @param upstreams      {@value #UPSTREAMS_DYNAMIC} when Nginx takes peer lists without reloading, else {@value #UPSTREAMS_RELOAD}
 * @param peerPushes     requests that replaced peer lists in Nginx since the agent started
 * @param peerError      why the last peer-list push failed, while it does
 * @param peersZxid      every peer-list node change up to this ZooKeeper transaction id is in Nginx (0: none yet, or an
 *                       agent that does not report it)
 * @param zone           the zone of the agent's Nginx task (its Lua balancer prefers upstreams of it); absent: none
 * @param routesVersion  the routing table version Nginx's Lua router holds (0: none, or an agent that does not route)
 * @param routesFailedVersion the routing table version this agent refused or Nginx refused last (0: none since the last success)
 * @param routesError    why that routing table version was refused, or why the last push is waiting
 * @param generationsEnded old Nginx worker generations the agent ended before a reload since it started, their long
 *                         requests cut, to keep at most its {@code --max-old-generations} draining
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentStatus(
        String agentId,
        String group,
        String host,
        int trafficPort,
        int adminPort,
        long runningVersion,
        String runningSha256,
        AgentState state,
        String error,
        long failedVersion,
        long applies,
        String upstreams,
        long peerPushes,
        String peerError,
        long updatedAtMillis,
        long peersZxid,
        String zone,
        long routesVersion,
        long routesFailedVersion,
        String routesError,
        long generationsEnded) {

    /** A status without {@code generationsEnded} (as an agent that does not bound its old generations writes). */
    public AgentStatus(String agentId, String group, String host, int trafficPort, int adminPort, long runningVersion, String runningSha256,
                       AgentState state, String error, long failedVersion, long applies, String upstreams, long peerPushes, String peerError,
                       long updatedAtMillis, long peersZxid, String zone, long routesVersion, long routesFailedVersion, String routesError) {
        this(agentId, group, host, trafficPort, adminPort, runningVersion, runningSha256, state, error, failedVersion, applies, upstreams,
                peerPushes, peerError, updatedAtMillis, peersZxid, zone, routesVersion, routesFailedVersion, routesError, 0);
    }

    /** A status without routing-table fields (as an agent that does not route writes). */
    public AgentStatus(String agentId, String group, String host, int trafficPort, int adminPort, long runningVersion, String runningSha256,
                       AgentState state, String error, long failedVersion, long applies, String upstreams, long peerPushes, String peerError,
                       long updatedAtMillis, long peersZxid, String zone) {
        this(agentId, group, host, trafficPort, adminPort, runningVersion, runningSha256, state, error, failedVersion, applies, upstreams,
                peerPushes, peerError, updatedAtMillis, peersZxid, zone, 0, 0, null);
    }

    /** A status without a zone. */
    public AgentStatus(String agentId, String group, String host, int trafficPort, int adminPort, long runningVersion, String runningSha256,
                       AgentState state, String error, long failedVersion, long applies, String upstreams, long peerPushes, String peerError,
                       long updatedAtMillis, long peersZxid) {
        this(agentId, group, host, trafficPort, adminPort, runningVersion, runningSha256, state, error, failedVersion, applies, upstreams,
                peerPushes, peerError, updatedAtMillis, peersZxid, null);
    }

    /** A status without {@code peersZxid} (as an agent that does not report it writes). */
    public AgentStatus(String agentId, String group, String host, int trafficPort, int adminPort, long runningVersion, String runningSha256,
                       AgentState state, String error, long failedVersion, long applies, String upstreams, long peerPushes, String peerError,
                       long updatedAtMillis) {
        this(agentId, group, host, trafficPort, adminPort, runningVersion, runningSha256, state, error, failedVersion, applies, upstreams,
                peerPushes, peerError, updatedAtMillis, 0);
    }

    public static final String UPSTREAMS_DYNAMIC = "dynamic";
    public static final String UPSTREAMS_RELOAD = "reload";
}
