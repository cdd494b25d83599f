package io.lbmanager.api;

import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.SortedMap;

import static io.lbmanager.api.ApiFixtures.CATALOG;
import static io.lbmanager.api.ApiFixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

/** Bodies that never reach validation: broken JSON, wrong JSON types, wrong media type, too large. Dropwizard's own mappers must not win. */
class ApiErrorFormatTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension API = ApiFixtures.catalogApi(ZK);

    private SortedMap<String, String> before;

    @BeforeEach
    void oneGroupAndOneService() throws Exception {
        ZK.deleteAll(CATALOG);
        API.send("PUT", "/api/v1/groups/edge", null, null);
        assertThat(API.putJson("/api/v1/services/payments", service("/pay")).status()).isEqualTo(201);
        before = ZK.tree(CATALOG);
    }

    private void assertError(ManagerExtension.Reply reply, int status, String field) throws Exception {
        assertThat(reply.status()).as("status of %s", reply.body()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/json");
        assertThat(reply.body().get("code").asInt()).isEqualTo(status);
        assertThat(reply.body().get("message").asText()).isNotBlank();
        assertThat(reply.body().has("field")).as("error body has a field key: %s", reply.body()).isTrue();
        if (field == null) {
            assertThat(reply.body().get("field").isNull()).as("field of %s", reply.body()).isTrue();
        } else {
            assertThat(reply.body().get("field").asText()).isEqualTo(field);
        }
        assertThat(ZK.tree(CATALOG)).as("ZooKeeper unchanged").isEqualTo(before);
    }

    @Test
    void malformedJsonIs400WithTheLocation() throws Exception {
        var reply = API.putJson("/api/v1/services/payments", "{\"owners\": [\"a\"] \"basePath\": \"/x\"}");
        assertError(reply, 400, null);
        assertThat(reply.body().get("message").asText()).contains("malformed JSON").contains("line 1");
    }

    @Test
    void truncatedJsonIs400NamingWhereItStopped() throws Exception {
        assertError(API.putJson("/api/v1/services/payments", "{\"owners\": [\"a\""), 400, "owners[1]");
    }

    @Test
    void trailingGarbageAfterTheObjectIs400() throws Exception {
        assertError(API.putJson("/api/v1/services/payments", service("/x") + " {}"), 400, null);
    }

    @Test
    void unknownTopLevelPropertyIs400NamingIt() throws Exception {
        var reply = API.putJson("/api/v1/services/payments", """
                {"owners": ["a"], "basePath": "/x", "groups": ["edge"], "include": "/etc/passwd"}""");
        assertError(reply, 400, "include");
    }

    @Test
    void stringWhereAListIsExpectedIs400NamingTheField() throws Exception {
        assertError(API.putJson("/api/v1/services/payments", """
                {"owners": "team-a", "basePath": "/x", "groups": ["edge"]}"""), 400, "owners");
    }

    @Test
    void numberInsideAStringListIs400NamingTheEntry() throws Exception {
        assertError(API.putJson("/api/v1/services/payments", """
                {"owners": ["team-a", 7], "basePath": "/x", "groups": ["edge"]}"""), 400, "owners[1]");
    }

    @Test
    void numberWhereAStringIsExpectedIs400() throws Exception {
        assertError(API.putJson("/api/v1/services/payments", """
                {"owners": ["team-a"], "basePath": 12, "groups": ["edge"]}"""), 400, "basePath");
    }

    @Test
    void optionsThatAreNotAnObjectAre400() throws Exception {
        assertError(API.putJson("/api/v1/services/payments", """
                {"owners": ["team-a"], "basePath": "/x", "groups": ["edge"], "options": ["websocket"]}"""), 400, "options");
    }

    @Test
    void duplicateKeysAre400() throws Exception {
        assertError(API.putJson("/api/v1/services/payments", """
                {"owners": ["team-a"], "basePath": "/x", "basePath": "/y", "groups": ["edge"]}"""), 400, null);
    }

    @Test
    void portAsAStringIs400NamingPort() throws Exception {
        assertError(API.postJson("/api/v1/services/payments/upstreams", "{\"host\": \"10.0.0.1\", \"port\": \"80\"}"), 400, "port");
    }

    @Test
    void portAsAFractionIs400NamingPort() throws Exception {
        assertError(API.postJson("/api/v1/services/payments/upstreams", "{\"host\": \"10.0.0.1\", \"port\": 80.5}"), 400, "port");
    }

    @Test
    void unknownUpstreamPropertyIs400() throws Exception {
        assertError(API.postJson("/api/v1/services/payments/upstreams",
                "{\"host\": \"10.0.0.1\", \"port\": 80, \"weight\": 5}"), 400, "weight");
    }

    @Test
    void jsonNullBodyIs400() throws Exception {
        assertError(API.putJson("/api/v1/services/payments", "null"), 400, null);
    }

    @Test
    void emptyBodyIs400() throws Exception {
        assertError(API.putJson("/api/v1/services/payments", ""), 400, null);
    }

    @Test
    void textPlainIs415() throws Exception {
        assertError(API.send("PUT", "/api/v1/services/payments", service("/x"), "text/plain"), 415, null);
    }

    @Test
    void formEncodedIs415() throws Exception {
        assertError(API.send("POST", "/api/v1/services/payments/upstreams", "host=10.0.0.1&port=80",
                "application/x-www-form-urlencoded"), 415, null);
    }

    @Test
    void missingContentTypeIs415() throws Exception {
        assertError(API.send("PUT", "/api/v1/services/payments", service("/x"), null), 415, null);
    }

    @Test
    void bodyOverTheLimitWithContentLengthIs413() throws Exception {
        String big = service("/x").replace("\"team-payments\"", "\"" + "a".repeat(ApiFixtures.MAX_BODY_BYTES) + "\"");
        assertError(API.putJson("/api/v1/services/payments", big), 413, null);
    }

    @Test
    void chunkedBodyOverTheLimitIs413() throws Exception {
        String big = service("/x").replace("\"team-payments\"", "\"" + "a".repeat(ApiFixtures.MAX_BODY_BYTES) + "\"");
        assertError(API.sendChunked("PUT", "/api/v1/services/payments", big.getBytes(StandardCharsets.UTF_8)), 413, null);
    }

    @Test
    void chunkedBodyUnderTheLimitIsAccepted() throws Exception {
        var reply = API.sendChunked("PUT", "/api/v1/services/payments", service("/chunked").getBytes(StandardCharsets.UTF_8));
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().at("/definition/basePath").asText()).isEqualTo("/chunked");
    }

    @Test
    void unknownRouteIs404InTheErrorFormat() throws Exception {
        assertError(API.get("/api/v1/nothing-here"), 404, null);
    }

    @Test
    void wrongMethodIs405InTheErrorFormat() throws Exception {
        assertError(API.send("PATCH", "/api/v1/services/payments", service("/x"), "application/json"), 405, null);
    }

    @Test
    void missingTokenIs401InTheErrorFormat() throws Exception {
        assertError(API.sendAs(null, "PUT", "/api/v1/services/payments", service("/x")), 401, null);
    }

    @Test
    void missingScopeIs403InTheErrorFormat() throws Exception {
        var token = API.postJson("/api/v1/tokens", "{\"team\":\"team-x\",\"scopes\":[\"read\"]}").body().path("secret").asText();
        assertError(API.sendAs(token, "PUT", "/api/v1/groups/nope", null), 403, null);
    }
}
