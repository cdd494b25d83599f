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
    private static Path calls;
    private static DropwizardTestSupport<LbManagerConfiguration> manager;

    @BeforeAll
    static void start() throws Exception {
        calls = dir.resolve("nginx-calls.txt");
        Files.writeString(calls, "");
        LbManagerConfiguration config = ManagerUnderTest.config(ZK.connectString(), "edge");
        config.pipeline.quietMillis = 1500;
        config.pipeline.maxDelayMillis = 2000;
        config.nginx.binary = NginxWrappers.recordingCalls(dir, calls, 3).toString();
        manager = ManagerUnderTest.start(config);
        await("the empty group published", WITHIN, () -> targetVersion() == 1);
    }

    @AfterAll
    static void stop() {
        manager.after();
    }

    @Test
    void burstOfCatalogChangesIsCheckedOnceWhenChecksAreSlow() throws Exception {
        long checks = nginxChecks();

        for (String id : List.of("a", "b", "c")) {
            assertThat(send("PUT", api(manager, "/services/" + id), "{\"owners\":[\"t\"],\"basePath\":\"/" + id
                    + "\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);
        }
        await("all three published", WITHIN, () -> json(get(api(manager, "/groups/edge/config"))).path("files")
                .has("locations/c.conf"));

        assertThat(targetVersion()).isEqualTo(2);
        assertThat(nginxChecks()).isEqualTo(checks + 1);
    }

    private static long nginxChecks() throws Exception {
        return Files.readAllLines(calls).stream().filter(line -> List.of(line.split(" ")).contains("-t")).count();
    }

    private static long targetVersion() throws Exception {
        return json(get(api(manager, "/groups/edge/status"))).path("target").path("version").asLong(0);
    }
}
