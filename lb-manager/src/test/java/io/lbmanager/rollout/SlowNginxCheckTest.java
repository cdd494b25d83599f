package io.lbmanager.rollout;

import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A manager whose {@code nginx -t} takes longer than {@code maxDelayMillis}: a catalog change no longer
 * renders at once, since a burst right behind it would wait for that check and then for its own.
 */
class SlowNginxCheckTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static final Duration WITHIN = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    private static ManagerCountingNginxChecks manager;

    @BeforeAll
    static void start() throws Exception {
        manager = ManagerCountingNginxChecks.start(ZK.connectString(), dir, 3, config -> {
            config.pipeline.quietMillis = 1500;
            config.pipeline.maxDelayMillis = 2000;
        }, WITHIN);
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void burstOfCatalogChangesIsCheckedOnceWhenChecksAreSlow() throws Exception {
        long checks = manager.nginxChecks();

        for (String id : List.of("a", "b", "c")) {
            assertThat(send("PUT", manager.api("/services/" + id), "{\"owners\":[\"t\"],\"basePath\":\"/" + id
                    + "\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);
        }
        await("all three published", WITHIN, () -> json(get(manager.api("/groups/edge/config"))).path("files")
                .has("locations/c.conf"));

        assertThat(manager.targetVersion()).isEqualTo(2);
        assertThat(manager.nginxChecks()).isEqualTo(checks + 1);
    }
}
