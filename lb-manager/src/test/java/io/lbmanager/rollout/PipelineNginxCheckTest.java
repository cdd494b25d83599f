package io.lbmanager.rollout;

import io.dropwizard.testing.DropwizardTestSupport;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.NginxWrappers;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.lbmanager.testsupport.ManagerUnderTest.api;
import static io.lbmanager.testsupport.ManagerUnderTest.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/** Which renders the manager checks with {@code nginx -t}: counted through an nginx that records its calls. */
class PipelineNginxCheckTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static final Duration WITHIN = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    private static Path calls;
    private static DropwizardTestSupport<LbManagerConfiguration> manager;

    @BeforeAll
    static void start() throws Exception {
        calls = dir.resolve("nginx-calls.txt");
        Files.writeString(calls, "");
        LbManagerConfiguration config = ManagerUnderTest.config(ZK.connectString(), "edge");
        config.nginx.binary = NginxWrappers.recordingCalls(dir, calls).toString();
        manager = ManagerUnderTest.start(config);
        await("the empty group published", WITHIN, () -> targetVersion() == 1);
    }

    @AfterAll
    static void stop() {
        manager.after();
    }

    @Test
    void renderThatEqualsTheTargetIsNotCheckedAgainWhileAChangedOneIs() throws Exception {
        long renderedAt = renderedAtMillis();
        long checks = nginxChecks();

        ZK.write("/services/nobody-routes-this/i1", "{\"name\":\"nobody-routes-this\",\"id\":\"i1\",\"address\":\"127.0.0.1\",\"port\":9}");
        await("a render after the discovery change", WITHIN, () -> renderedAtMillis() > renderedAt);

        assertThat(targetVersion()).isEqualTo(1);
        assertThat(nginxChecks()).as("nginx -t runs for an unchanged render").isEqualTo(checks);

        assertThat(send("PUT", api(manager, "/services/shop"), "{\"owners\":[\"shop\"],\"basePath\":\"/shop\",\"groups\":[\"edge\"]}")
                .statusCode()).isEqualTo(201);
        await("the new service published", WITHIN, () -> targetVersion() == 2);
        assertThat(nginxChecks()).isEqualTo(checks + 1);
    }

    private static long nginxChecks() throws Exception {
        return Files.readAllLines(calls).stream().filter(line -> List.of(line.split(" ")).contains("-t")).count();
    }

    private static long targetVersion() throws Exception {
        return json(get(api(manager, "/groups/edge/status"))).path("target").path("version").asLong(0);
    }

    private static long renderedAtMillis() throws Exception {
        return json(get(api(manager, "/groups/edge/status"))).path("status").path("renderedAtMillis").asLong(0);
    }
}
