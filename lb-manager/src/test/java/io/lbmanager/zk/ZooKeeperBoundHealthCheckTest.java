package io.lbmanager.zk;

import com.codahale.metrics.health.HealthCheck;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A health check that reads ZooKeeper answers at once while ZooKeeper is gone (a real server, stopped), and runs again when it is back. */
class ZooKeeperBoundHealthCheckTest {

    @RegisterExtension
    final ZooKeeperExtension zk = ZooKeeperExtension.perTest();

    @Test
    void answersAtOnceWithoutRunningTheCheckWhileZooKeeperIsDown() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        HealthCheck readsZooKeeper = new HealthCheck() {
            @Override
            protected Result check() throws Exception {
                runs.incrementAndGet();
                zk.curator().checkExists().forPath("/anything");
                return Result.healthy("read ZooKeeper");
            }
        };
        HealthCheck bound = new ZooKeeperBoundHealthCheck(zk.curator(), readsZooKeeper);
        assertThat(bound.execute().getMessage()).isEqualTo("read ZooKeeper");
        assertThat(runs).hasValue(1);

        zk.stop();
        Await.await("the client sees the server gone", Duration.ofSeconds(20), () -> !zk.curator().getZookeeperClient().isConnected());
        long start = System.nanoTime();
        HealthCheck.Result down = bound.execute();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(down.isHealthy()).isFalse();
        assertThat(down.getMessage()).isEqualTo("not checked: not connected to ZooKeeper");
        assertThat(runs).hasValue(1);

        zk.restart();
        Await.await("checked again once ZooKeeper is back", Duration.ofSeconds(30), () -> bound.execute().isHealthy());
        assertThat(runs.get()).isGreaterThan(1);
    }
}
