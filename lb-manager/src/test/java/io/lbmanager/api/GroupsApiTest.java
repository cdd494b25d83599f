package io.lbmanager.api;

import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.lbmanager.api.ApiFixtures.CATALOG;
import static io.lbmanager.api.ApiFixtures.ROOT;
import static io.lbmanager.api.ApiFixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

class GroupsApiTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension API = new ManagerExtension(ZK, ManagerUnderTest::config); // the whole manager: its routes must not hide these
    private static final ZkLayout LAYOUT = new ZkLayout(ROOT);

    @BeforeEach
    void emptyCatalog() throws Exception {
        ZK.deleteAll(CATALOG);
    }

    private int putGroup(String name) throws Exception {
        return API.send("PUT", "/api/v1/groups/" + name, null, null).status();
    }

    @Test
    void putCreatesAGroupWith201AndIsIdempotentWith200() throws Exception {
        assertThat(putGroup("edge")).isEqualTo(201);
        assertThat(putGroup("edge")).isEqualTo(200);
        assertThat(ZK.exists(LAYOUT.catalogGroup("edge"))).isTrue();
    }

    @Test
    void listShowsEachGroupWithItsServices() throws Exception {
        putGroup("edge");
        putGroup("internal");
        API.putJson("/api/v1/services/payments", service("/pay", "\"edge\", \"internal\""));
        API.putJson("/api/v1/services/billing", service("/bill", "\"edge\""));

        var reply = API.get("/api/v1/groups");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().toString()).isEqualTo(
                "[{\"name\":\"edge\",\"services\":[\"billing\",\"payments\"]},{\"name\":\"internal\",\"services\":[\"payments\"]}]");
    }

    @Test
    void deletingAGroupWithServicesIs409NamingThemAndChangesNothing() throws Exception {
        putGroup("edge");
        API.putJson("/api/v1/services/payments", service("/pay"));
        var before = ZK.tree(CATALOG);

        var reply = API.delete("/api/v1/groups/edge");

        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.body().get("message").asText()).contains("payments");
        assertThat(ZK.tree(CATALOG)).isEqualTo(before);
    }

    @Test
    void deletingAnEmptyGroupIs204AndAnUnknownOne404() throws Exception {
        putGroup("edge");
        assertThat(API.delete("/api/v1/groups/edge").status()).isEqualTo(204);
        assertThat(ZK.exists(LAYOUT.catalogGroup("edge"))).isFalse();
        var unknown = API.delete("/api/v1/groups/edge");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().get("field").asText()).isEqualTo("name");
    }

    @Test
    void basePathTakenByAnotherServiceIs409NamingTheOwnerAndChangesNothing() throws Exception {
        putGroup("edge");
        API.putJson("/api/v1/services/payments", service("/pay"));
        var before = ZK.tree(CATALOG);

        var reply = API.putJson("/api/v1/services/billing", service("/pay"));

        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.body().get("field").asText()).isEqualTo("basePath");
        assertThat(reply.body().get("message").asText()).contains("payments");
        assertThat(ZK.tree(CATALOG)).isEqualTo(before);
    }

    @Test
    void deletingAServiceFreesItsPathForAnother() throws Exception {
        putGroup("edge");
        API.putJson("/api/v1/services/payments", service("/pay"));
        API.delete("/api/v1/services/payments");

        assertThat(API.putJson("/api/v1/services/billing", service("/pay")).status()).isEqualTo(201);
    }

    @Test
    void handCorruptedServiceNodeIsListedAsMalformedWithItsPath() throws Exception {
        putGroup("edge");
        API.putJson("/api/v1/services/payments", service("/pay"));
        String injected = ZK.text(LAYOUT.service("payments")).replace("\"/pay\"", "\"/pay;include /etc/passwd\"")
                .replace("\"payments\"", "\"hacked\"");
        ZK.write(LAYOUT.service("hacked"), injected);

        var list = API.get("/api/v1/services");

        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body().at("/services").size()).isEqualTo(1);
        assertThat(list.body().at("/malformed/0/path").asText()).isEqualTo(LAYOUT.service("hacked"));
        assertThat(list.body().at("/malformed/0/reason").asText()).contains("definition.basePath");
        var single = API.get("/api/v1/services/hacked");
        assertThat(single.status()).isEqualTo(500);
        assertThat(single.body().get("message").asText()).contains(LAYOUT.service("hacked"));
    }
}
