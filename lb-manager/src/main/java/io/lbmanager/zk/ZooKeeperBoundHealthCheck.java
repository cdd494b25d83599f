package io.lbmanager.zk;

import com.codahale.metrics.health.HealthCheck;
import org.apache.curator.framework.CuratorFramework;

/**
 * A health check that reads ZooKeeper, run only while the manager's session is connected: during an
 * outage it answers at once (unhealthy, saying it was not checked) instead of blocking in Curator's
 * retries, so {@code /healthcheck} keeps answering when operators need it most.
 */
public final class ZooKeeperBoundHealthCheck extends HealthCheck {

    private final CuratorFramework client;
    private final HealthCheck check;

    public ZooKeeperBoundHealthCheck(CuratorFramework client, HealthCheck check) {
        this.client = client;
        this.check = check;
    }

    @Override
    protected Result check() {
        if (!client.getZookeeperClient().isConnected()) {
            return Result.unhealthy("not checked: not connected to ZooKeeper");
        }
        return check.execute();
    }
}
