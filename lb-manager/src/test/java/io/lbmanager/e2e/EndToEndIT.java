package io.lbmanager.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.demo.SampleBackend;
import io.lbmanager.fleet.DockerClients;
import io.lbmanager.testsupport.DockerSupport;
import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RegistrantProcess;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZooKeeperClients;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The walking skeleton on real parts: a real ZooKeeper server, the manager, two Nginx containers
 * of the lb-manager image on the local Docker engine, real backends and real HTTP through Nginx.
 * The manager locks its ZooKeeper nodes and signs its versions; service teams register without credentials.
 */
class EndToEndIT {

    private static final String GROUP = "edge";
    private static final Duration LIVE_WITHIN = Duration.ofSeconds(30);
    private static final String FLEET = DockerSupport.uniqueFleetName("lbm-e2e");

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension APP = new ManagerExtension(ZK, EndToEndIT::lockedDown)
            .afterManager(() -> {
                try (DockerClient docker = DockerClients.local()) {
                    DockerSupport.removeFleet(docker, FLEET);
                }
            });
    private static final List<SampleBackend> backends = new ArrayList<>();

    /** As in production: ACLs on the manager's nodes, signed versions; the fleet hands the containers both. */
    private static LbManagerConfiguration lockedDown(String zookeeper) {
        try {
            return ManagerUnderTest.trusting(ManagerUnderTest.withDockerFleet(zookeeper, FLEET, GROUP, 2),
                    java.nio.file.Files.createTempDirectory("lbm-e2e-keys"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void requireDockerAndTwoAgents() throws Exception {
        DockerSupport.assumeUsable(DockerSupport.whyUnusable(DockerSupport.image()));
        await("two Nginx agents of group edge registered", Duration.ofSeconds(90), () -> agents().size() == 2);
    }

    @AfterAll
    static void closeBackends() {
        backends.forEach(SampleBackend::close);
    }

    @Test
    void curatorRegisteredServiceIsServedByEveryNginxAndLeavesWhenItsRegistrantDies() throws Exception {
        SampleBackend backend = backend("orders-backend");
        try (RegistrantProcess registrant = RegistrantProcess.start(ZK.connectString(), "/services", "orders",
                "127.0.0.1", backend.port(), 4_000)) {
            HttpResponse<String> created = send("PUT", api("/services/orders"),
                    "{\"owners\":[\"orders-team@example.com\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"]}");
            assertThat(created.statusCode()).isEqualTo(201);

            awaitEveryNginx("orders served through every Nginx", "/orders/42", 200, "hello from orders-backend");

            registrant.kill();
            awaitEveryNginx("orders without upstreams once its registrant's session expired", "/orders/42", 503, null);
        }
    }

    @Test
    void curatorUnregistrationRemovesTheInstanceFromEveryNginx() throws Exception {
        SampleBackend backend = backend("cart-backend");
        try (CuratorFramework registrant = ZooKeeperClients.client(ZK.connectString(), 10_000, 5_000)) {
            registrant.start();
            ServiceDiscovery<RegistrantProcess.TeamPayload> discovery = ServiceDiscoveryBuilder.builder(RegistrantProcess.TeamPayload.class)
                    .client(registrant).basePath("/services").build();
            discovery.start();
            ServiceInstance<RegistrantProcess.TeamPayload> instance = ServiceInstance.<RegistrantProcess.TeamPayload>builder()
                    .name("cart").address("127.0.0.1").port(backend.port()).payload(new RegistrantProcess.TeamPayload()).build();
            discovery.registerService(instance);
            assertThat(send("PUT", api("/services/cart"),
                    "{\"owners\":[\"cart-team\"],\"basePath\":\"/cart\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);
            awaitEveryNginx("cart served", "/cart/items", 200, "hello from cart-backend");

            discovery.unregisterService(instance);
            awaitEveryNginx("cart unregistered", "/cart/items", 503, null);
            discovery.close();
        }
    }

    @Test
    void restRegisteredServiceFollowsBasePathChangeAndDelete() throws Exception {
        SampleBackend backend = backend("billing-backend");
        assertThat(send("PUT", api("/services/billing"),
                "{\"owners\":[\"billing\"],\"basePath\":\"/billing\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);
        assertThat(send("POST", api("/services/billing/upstreams"),
                "{\"host\":\"127.0.0.1\",\"port\":" + backend.port() + "}").statusCode()).isBetween(200, 201);
        awaitEveryNginx("billing served", "/billing/invoice", 200, "hello from billing-backend");

        assertThat(send("PUT", api("/services/billing"),
                "{\"owners\":[\"billing\"],\"basePath\":\"/invoices\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(200);
        awaitEveryNginx("billing moved to /invoices", "/invoices/7", 200, "hello from billing-backend");
        awaitEveryNginx("old base path gone", "/billing/invoice", 404, null);

        assertThat(send("DELETE", api("/services/billing"), null).statusCode()).isEqualTo(204);
        awaitEveryNginx("billing deleted", "/invoices/7", 404, null);
    }

    @Test
    void everyNginxReportsTheTargetVersionItServes() throws Exception {
        await("all agents READY on the target", LIVE_WITHIN, () -> {
            JsonNode status = json(get(api("/groups/" + GROUP + "/status")));
            long target = status.path("target").path("version").asLong(-1);
            for (JsonNode agent : status.path("agents")) {
                if (!"READY".equals(agent.path("state").asText()) || agent.path("runningVersion").asLong() != target) {
                    return false;
                }
                String version = get("http://" + agent.path("host").asText() + ":" + agent.path("trafficPort").asInt() + "/_lbm/version").body();
                if (!version.startsWith(target + " ")) {
                    return false;
                }
            }
            return status.path("agents").size() == 2;
        });
    }

    @Test
    void everyNginxContainerGetsTheAgentsCredentialsAndTheSigningKey() throws Exception {
        try (DockerClient docker = DockerClients.local()) {
            var containers = docker.listContainersCmd().withLabelFilter(java.util.Map.of(io.lbmanager.fleet.DockerTaskRunner.LABEL_FLEET, FLEET))
                    .exec();
            assertThat(containers).hasSize(2);
            for (var container : containers) {
                List<String> env = List.of(docker.inspectContainerCmd(container.getId()).exec().getConfig().getEnv());
                assertThat(env).contains("LBM_ZK_AUTH=" + ManagerUnderTest.AGENT_AUTH)
                        .anyMatch(variable -> variable.startsWith("LBM_SIGNING_PUBLIC_KEY=MCowBQYDK2Vw")); // X.509 Ed25519
            }
        }
    }

    private static SampleBackend backend(String name) throws Exception {
        SampleBackend backend = SampleBackend.start(name);
        backends.add(backend);
        return backend;
    }

    private static String api(String path) {
        return APP.api(path);
    }

    private static List<JsonNode> agents() throws Exception {
        List<JsonNode> agents = new ArrayList<>();
        json(get(api("/groups/" + GROUP + "/status"))).path("agents").forEach(agents::add);
        return agents;
    }

    /** Waits until a request to {@code path} through EVERY Nginx of the group gets the expected status (and body text). */
    private static void awaitEveryNginx(String description, String path, int status, String bodyContains) throws Exception {
        await(description, LIVE_WITHIN, () -> {
            List<JsonNode> agents = agents();
            if (agents.size() != 2) {
                return false;
            }
            for (JsonNode agent : agents) {
                HttpResponse<String> response = get("http://" + agent.path("host").asText() + ":" + agent.path("trafficPort").asInt() + path);
                if (response.statusCode() != status || (bodyContains != null && !response.body().contains(bodyContains))) {
                    return false;
                }
            }
            return true;
        });
    }
}
