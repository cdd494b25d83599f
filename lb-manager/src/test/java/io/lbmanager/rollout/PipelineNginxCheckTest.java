package io.lbmanager.rollout;

import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/** Which renders the manager checks with {@code nginx -t}: counted through an nginx that records its calls. */
class PipelineNginxCheckTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static final Duration WITHIN = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    private static ManagerCountingNginxChecks manager;

    @BeforeAll
    static void start() throws Exception {
        manager = ManagerCountingNginxChecks.start(ZK.connectString(), dir, 0, config -> { }, WITHIN);
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void renderThatEqualsTheTargetIsNotCheckedAgainWhileAChangedOneIs() throws Exception {
        long renderedAt = manager.renderedAtMillis();
        long checks = manager.nginxChecks();

        ZK.write("/services/nobody-routes-this/i1", "{\"name\":\"nobody-routes-this\",\"id\":\"i1\",\"address\":\"127.0.0.1\",\"port\":9}");
        await("a render after the discovery change", WITHIN, () -> manager.renderedAtMillis() > renderedAt);

        assertThat(manager.targetVersion()).isEqualTo(1);
        assertThat(manager.nginxChecks()).as("nginx -t runs for an unchanged render").isEqualTo(checks);

        assertThat(send("PUT", manager.api("/services/shop"), "{\"owners\":[\"shop\"],\"basePath\":\"/shop\",\"groups\":[\"edge\"]}")
                .statusCode()).isEqualTo(201);
        await("the new service published", WITHIN, () -> manager.targetVersion() == 2);
        assertThat(manager.nginxChecks()).isEqualTo(checks + 1);
    }
}
