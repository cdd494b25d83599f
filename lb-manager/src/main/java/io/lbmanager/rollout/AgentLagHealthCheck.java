package io.lbmanager.rollout;

import com.codahale.metrics.health.HealthCheck;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.PublishedVersion;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/** Unhealthy when an agent has not served its group's target for longer than a rollout may take. */
public final class AgentLagHealthCheck extends HealthCheck {

    private final Supplier<Set<String>> groups;
    private final RolloutStore rollouts;
    private final AgentDirectory agents;
    private final Duration allowed;

    public AgentLagHealthCheck(Supplier<Set<String>> groups, RolloutStore rollouts, AgentDirectory agents, Duration allowed) {
        this.groups = groups;
        this.rollouts = rollouts;
        this.agents = agents;
        this.allowed = allowed;
    }

    @Override
    protected Result check() throws Exception {
        List<String> lagging = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (String group : groups.get()) {
            long target = rollouts.target(group).value().map(PublishedVersion::version).orElse(0L);
            for (AgentStatus agent : agents.agents(group)) {
                if (target != 0 && agent.runningVersion() != target && now - agent.updatedAtMillis() > allowed.toMillis()) {
                    lagging.add(group + "/" + agent.agentId() + " serves " + agent.runningVersion() + ", target " + target);
                }
            }
        }
        return lagging.isEmpty() ? Result.healthy("every agent serves its group's target")
                : Result.unhealthy("agents behind their target: " + String.join("; ", lagging));
    }
}
