package io.lbmanager.api.view;

import io.lbmanager.contract.AgentState;
import io.lbmanager.contract.AgentStatus;

/**
 * One Nginx of a group as a DNS or hardware front end sees it: the address traffic goes to, and
 * whether it takes traffic now ({@code READY}: Nginx serves a good version of the group's config).
 */
public record EndpointView(String host, int port, String agentId, boolean ready, long runningVersion, boolean current) {

    public static EndpointView of(AgentStatus agent, long targetVersion) {
        return new EndpointView(agent.host(), agent.trafficPort(), agent.agentId(), agent.state() == AgentState.READY,
                agent.runningVersion(), targetVersion > 0 && agent.runningVersion() == targetVersion);
    }

    /** {@code host:port}, the plain list's line. */
    public String address() {
        return host + ":" + port;
    }
}
