package io.lbmanager.api;

import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.TestTokens;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.lbmanager.api.ApiFixtures.CATALOG;
import static io.lbmanager.api.ApiFixtures.ROOT;
import static io.lbmanager.api.ApiFixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

class ServiceApiTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension API = ApiFixtures.catalogApi(ZK);

    @BeforeEach
    void startFromOneGroup() throws Exception {
        ZK.deleteAll(CATALOG);
        assertThat(API.send("PUT", "/api/v1/groups/edge", null, null).status()).isEqualTo(201);
    }

    @Test
    void putCreatesWith201ThenUpdatesWith200AndRecordsTheTokenNotAHeaderAsActor() throws Exception {
        var created = API.putJson("/api/v1/services/payments", service("/pay"), "X-LBM-User", "alice@example.com");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().at("/definition/id").asText()).isEqualTo("payments");
        assertThat(created.body().at("/definition/discoveryName").asText()).isEqualTo("payments.v2");
        assertThat(created.body().at("/definition/options/proxyReadTimeoutMs").asInt()).isEqualTo(30000);
        assertThat(created.body().at("/updatedBy").asText()).isEqualTo(TestTokens.ADMIN_ACTOR);

        var updated = API.putJson("/api/v1/services/payments", service("/pay2"));
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.body().at("/definition/basePath").asText()).isEqualTo("/pay2");
        assertThat(updated.body().at("/updatedBy").asText()).isEqualTo(TestTokens.ADMIN_ACTOR);
        assertThat(API.get("/api/v1/services/payments").body().at("/definition/basePath").asText()).isEqualTo("/pay2");
    }

    @Test
    void discoveryNameDefaultsToTheId() throws Exception {
        var created = API.putJson("/api/v1/services/orders", """
                {"owners": ["team-orders"], "basePath": "/orders", "groups": ["edge"]}""");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().at("/definition/discoveryName").asText()).isEqualTo("orders");
        assertThat(created.body().at("/definition/options").size()).isZero();
    }

    @Test
    void unknownServiceIs404InTheErrorFormat() throws Exception {
        var reply = API.get("/api/v1/services/nope");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.body().get("code").asInt()).isEqualTo(404);
        assertThat(reply.body().get("field").asText()).isEqualTo("id");
        assertThat(reply.body().get("message").asText()).contains("nope");
        assertThat(API.delete("/api/v1/services/nope").status()).isEqualTo(404);
    }

    @Test
    void listReturnsEveryServiceInIdOrder() throws Exception {
        API.putJson("/api/v1/services/b-svc", service("/b"));
        API.putJson("/api/v1/services/a-svc", service("/a"));
        var list = API.get("/api/v1/services");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body().at("/services/0/definition/id").asText()).isEqualTo("a-svc");
        assertThat(list.body().at("/services/1/definition/id").asText()).isEqualTo("b-svc");
        assertThat(list.body().get("malformed").size()).isZero();
    }

    @Test
    void deleteAnswers204AndTheServiceIsGone() throws Exception {
        API.putJson("/api/v1/services/payments", service("/pay"));
        assertThat(API.delete("/api/v1/services/payments").status()).isEqualTo(204);
        assertThat(API.get("/api/v1/services/payments").status()).isEqualTo(404);
        assertThat(ZK.tree(ROOT + "/catalog/basepaths/edge")).hasSize(1);
    }

    @Test
    void staticUpstreamsAreAddedRemovedAndSurviveAnUpdate() throws Exception {
        API.putJson("/api/v1/services/payments", service("/pay"));
        assertThat(API.postJson("/api/v1/services/payments/upstreams", """
                {"host": "10.0.0.7", "port": 8080}""").status()).isEqualTo(200);
        var added = API.postJson("/api/v1/services/payments/upstreams", """
                {"host": "2001:db8::1", "port": 443}""", "X-LBM-User", "bob");
        assertThat(added.body().at("/staticUpstreams").size()).isEqualTo(2);
        assertThat(added.body().at("/updatedBy").asText()).isEqualTo(TestTokens.ADMIN_ACTOR);

        API.putJson("/api/v1/services/payments", service("/pay-moved"));
        assertThat(API.get("/api/v1/services/payments").body().at("/staticUpstreams").size()).isEqualTo(2);

        var removed = API.delete("/api/v1/services/payments/upstreams/%5B2001:db8::1%5D:443");
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.body().at("/staticUpstreams").size()).isEqualTo(1);
        assertThat(removed.body().at("/staticUpstreams/0/host").asText()).isEqualTo("10.0.0.7");
        assertThat(API.delete("/api/v1/services/payments/upstreams/10.0.0.7:8080").status()).isEqualTo(200);
    }

    @Test
    void addingAnUpstreamTwiceKeepsOneCopy() throws Exception {
        API.putJson("/api/v1/services/payments", service("/pay"));
        API.postJson("/api/v1/services/payments/upstreams", "{\"host\": \"backend-1.example.com\", \"port\": 80}");
        var again = API.postJson("/api/v1/services/payments/upstreams", "{\"host\": \"Backend-1.example.com\", \"port\": 80}");
        assertThat(again.body().at("/staticUpstreams").size()).isEqualTo(1);
    }

    @Test
    void removingAnUnknownUpstreamIs404NamingIt() throws Exception {
        API.putJson("/api/v1/services/payments", service("/pay"));
        var before = ZK.tree(CATALOG);
        var reply = API.delete("/api/v1/services/payments/upstreams/10.9.9.9:81");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.body().get("field").asText()).isEqualTo("upstream");
        assertThat(reply.body().get("message").asText()).contains("10.9.9.9:81");
        assertThat(ZK.tree(CATALOG)).isEqualTo(before);
    }

    @Test
    void upstreamOfAnUnknownServiceIs404() throws Exception {
        var reply = API.postJson("/api/v1/services/ghost/upstreams", "{\"host\": \"10.0.0.1\", \"port\": 80}");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.body().get("field").asText()).isEqualTo("id");
    }
}
