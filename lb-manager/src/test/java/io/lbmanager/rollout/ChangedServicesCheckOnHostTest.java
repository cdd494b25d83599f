package io.lbmanager.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pipeline checks only what changed since the version every agent accepted. An operator's
 * template that makes every service declare the same upstream is the kind of clash such a check
 * cannot see: the agent's own full nginx -t refuses it, the group goes back to its live version,
 * and the next check, in full, finds the service and quarantines it.
 */
class ChangedServicesCheckOnHostTest {

    private static final String GROUP = "edge";
    private static final Duration WITHIN = Duration.ofSeconds(40);

    @TempDir
    static Path dir;
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static RunningManager manager;
    private static HostAgent agent;

    @BeforeAll
    static void start() throws Exception {
        Path templates = Files.createDirectory(dir.resolve("templates"));
        try (Stream<Path> files = Files.list(ManagerUnderTest.templatesDir())) {
            for (Path template : files.filter(f -> f.toString().endsWith(".ftl")).toList()) {
                Files.copy(template, templates.resolve(template.getFileName()));
            }
        }
        Files.writeString(templates.resolve("upstream.conf.ftl"), "\nupstream lbm_shared { server 127.0.0.1:1; }\n",
                java.nio.file.StandardOpenOption.APPEND);
        LbManagerConfiguration config = ManagerUnderTest.config(ZK.connectString(), GROUP);
        config.nginx.templatesDir = templates.toString();
        config.pipeline.rolloutTimeoutSeconds = 20;
        manager = RunningManager.start(config);
        agent = HostAgent.start(ZK.connectString(), "/lb-manager", GROUP, "agent-1", dir.resolve("agent-1"));
        assertThat(send("PUT", api("/services/first"), "{\"owners\":[\"o\"],\"basePath\":\"/first\",\"groups\":[\"edge\"]}")
                .statusCode()).isEqualTo(201);
        await("first is live on the agent", WITHIN, () -> get(api("/groups/" + GROUP + "/config")).body().contains("locations/first.conf")
                && status().path("live").path("version").asLong() == status().path("target").path("version").asLong());
    }

    @AfterAll
    static void stop() throws Exception {
        agent.close();
        manager.close();
    }

    @Test
    void clashACheckOfTheChangedServicesCannotSeeIsRevertedThenFoundInFullAndQuarantined() throws Exception {
        long live = status().path("live").path("version").asLong();

        assertThat(send("PUT", api("/services/second"), "{\"owners\":[\"o\"],\"basePath\":\"/second\",\"groups\":[\"edge\"]}")
                .statusCode()).isEqualTo(201);

        await("second is quarantined with nginx's error", WITHIN,
                () -> status().path("status").path("quarantined").has("second"));
        JsonNode rollout = json(get(api("/groups/" + GROUP + "/rollouts?limit=1"))).get(0);
        assertThat(rollout.path("state").asText()).isEqualTo("REVERTED");
        assertThat(rollout.path("failures").get(0).path("reason").asText()).contains("duplicate upstream \"lbm_shared\"");
        JsonNode error = status().path("status").path("quarantined").path("second").get(0);
        assertThat(error.path("file").asText()).isEqualTo("upstreams/second.conf");
        assertThat(error.path("message").asText()).contains("duplicate upstream \"lbm_shared\"");
        assertThat(status().path("live").path("version").asLong()).isEqualTo(live);
    }

    private static JsonNode status() throws Exception {
        return json(get(api("/groups/" + GROUP + "/status")));
    }

    private static String api(String path) {
        return manager.api(path);
    }
}
