package io.lbmanager.agent;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What an agent reports in its ephemeral ZooKeeper node: where its Nginx listens, the config
 * version Nginx actually serves, and the error of its last failed apply.
 *
 * @param runningVersion 0 while no version has been applied yet
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
        long updatedAtMillis) {
}
