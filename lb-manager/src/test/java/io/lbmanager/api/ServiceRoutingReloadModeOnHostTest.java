package io.lbmanager.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static io.lbmanager.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /api/v1/services/{id}/routing} in the reload mode ({@code nginx.dynamicUpstreams: off}):
 * the peers are the {@code server} lines of the config version each Nginx serves, on real parts
 * (ZooKeeper, the manager, an agent with this host's nginx, a backend, real requests).
 */
class ServiceRoutingReloadModeOnHostTest {

    private static final Duration WITHIN = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension APP = new ManagerExtension(ZK, zk -> {
        LbManagerConfiguration config = ManagerUnderTest.config(zk, "edge");
        config.nginx.dynamicUpstreams = "off";
        return config;
    });
    private static HostAgent agent;
    private static TinyBackend backend;

    @BeforeAll
    static void start() throws Exception {
        assertThat(APP.get("/api/v1/manager").body().path("upstreams").asText()).isEqualTo("reload");
        backend = TinyBackend.answering("shop\n");
        agent = HostAgent.start(ZK.connectString(), "/lb-manager", "edge", "agent-1", dir.resolve("agent-1"));
        put("shop");
        assertThat(APP.postJson("/api/v1/services/shop/upstreams", "{\"host\":\"127.0.0.1\",\"port\":" + backend.port() + "}")
                .status()).isEqualTo(200);
        put("empty");
        put("broken");
        assertThat(APP.postJson("/api/v1/services/broken/upstreams", "{\"host\":\"nonexistent.invalid\",\"port\":80}").status())
                .isEqualTo(200);
        await("nginx routes /shop to the backend", WITHIN, () -> Http.tryGet(agent.trafficPort(), "/shop/x").body().equals("shop\n"));
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void thePeersAreTheServerLinesOfTheVersionEachNginxServes() throws Exception {
        JsonNode shop = await("shop confirmed by the agent", WITHIN, () -> group("shop"), g -> g.path("agentsCurrent").asInt() == 1);
        assertThat(shop.path("mode").asText()).isEqualTo("rendered");
        assertThat(shop.path("state").asText()).isEqualTo("ROUTED");
        assertThat(shop.path("peers").toString())
                .isEqualTo("[{\"host\":\"127.0.0.1\",\"port\":" + backend.port() + ",\"weight\":1,\"source\":\"static\"}]");
        JsonNode nginx = shop.path("agents").get(0);
        assertThat(nginx.path("current").asBoolean()).isTrue();
        assertThat(nginx.path("configVersion").asLong()).isEqualTo(shop.path("configVersion").asLong());
        assertThat(nginx.path("routesTo")).isEqualTo(shop.path("peers"));
        assertThat(shop.has("traffic")).as("the reload mode has no Lua counters").isFalse();
    }

    @Test
    void noUpstreamsAndQuarantineAreSaidInWords() throws Exception {
        JsonNode empty = await("empty rendered", WITHIN, () -> group("empty"), g -> g.path("state").asText().equals("NO_UPSTREAMS"));
        assertThat(empty.path("message").asText()).isEqualTo("no upstreams: requests get 503");
        assertThat(Http.get(agent.trafficPort(), "/empty/x").status()).isEqualTo(503);

        JsonNode broken = await("broken quarantined", WITHIN, () -> group("broken"), g -> g.path("state").asText().equals("QUARANTINED"));
        assertThat(broken.path("errors").toString()).contains("nonexistent.invalid");
        assertThat(broken.path("peers")).isEmpty();
    }

    private static JsonNode group(String service) throws Exception {
        ManagerExtension.Reply reply = APP.get("/api/v1/services/" + service + "/routing");
        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        return reply.body().path("groups").get(0);
    }

    private static void put(String id) throws Exception {
        assertThat(APP.putJson("/api/v1/services/" + id, "{\"owners\":[\"" + id + "-team\"],\"basePath\":\"/" + id + "\",\"groups\":[\"edge\"]}")
                .status()).isEqualTo(201);
    }
}
