package io.lbmanager.api;

import io.lbmanager.contract.AgentState;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.lbmanager.api.ApiFixtures.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

/** What a DNS or hardware front end reads to follow a group's Nginx: every agent as JSON, the ready ones as a plain list. */
class GroupEndpointsApiTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension API = new ManagerExtension(ZK, ManagerUnderTest::config);
    private static final ZkLayout LAYOUT = new ZkLayout(ROOT);

    @Test
    void endpointsListReadyNginxAsHostPortLinesAndEveryAgentAsJson() throws Exception {
        assertThat(API.send("PUT", "/api/v1/groups/front", null, null).status()).isIn(200, 201);
        report("a", 31001, AgentState.READY);
        report("b", 31003, AgentState.STARTING);
        report("c", 8081, AgentState.READY);

        ManagerExtension.Reply plain = API.get("/api/v1/groups/front/endpoints", "Accept", "text/plain");
        ManagerExtension.Reply json = API.get("/api/v1/groups/front/endpoints");

        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.text()).isEqualTo("127.0.0.1:8081\n127.0.0.1:31001\n");
        assertThat(json.status()).isEqualTo(200);
        assertThat(json.body()).hasSize(3);
        assertThat(json.body().get(2).get("agentId").asText()).isEqualTo("b");
        assertThat(json.body().get(2).get("port").asInt()).isEqualTo(31003);
        assertThat(json.body().get(2).get("ready").asBoolean()).isFalse();
        assertThat(API.get("/api/v1/groups/nosuch/endpoints").status()).isEqualTo(404);
    }

    private static void report(String agentId, int trafficPort, AgentState state) throws Exception {
        ZK.write(LAYOUT.agent("front", agentId), Json.write(new AgentStatus(agentId, "front", "127.0.0.1", trafficPort, trafficPort + 1,
                state == AgentState.READY ? 1 : 0, null, state, null, 0, 1, AgentStatus.UPSTREAMS_RELOAD, 0, null,
                System.currentTimeMillis())));
    }
}
