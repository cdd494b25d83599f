package io.lbmanager.zk;

import com.codahale.metrics.health.HealthCheck;

/** Healthy while some manager leads (this one or another); without a leader nothing is rendered or rolled out. */
public final class LeadershipHealthCheck extends HealthCheck {

    private final Leadership leadership;

    public LeadershipHealthCheck(Leadership leadership) {
        this.leadership = leadership;
    }

    @Override
    protected Result check() {
        if (leadership.isLeader()) {
            return Result.healthy("this manager (" + leadership.id() + ") leads");
        }
        return leadership.leaderId()
                .map(leader -> Result.healthy("following " + leader))
                .orElseGet(() -> Result.unhealthy("no manager leads: nothing is rendered or rolled out"));
    }
}
