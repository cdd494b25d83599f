package io.lbmanager.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.TestTokens;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.JSON;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static io.lbmanager.testsupport.ManagerUnderTest.sendAs;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Team tokens against the whole manager (real ZooKeeper, real HTTP, real nginx -t): what a
 * service-owner, an operator and a read token may do, expiry, revocation and rotation, and the
 * audit trail of refusals. A refused write leaves the catalog byte for byte as it was.
 */
class TokenScopesTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static final ZkLayout LAYOUT = new ZkLayout(ZkLayout.DEFAULT_ROOT);
    private static final String CATALOG = LAYOUT.root() + "/catalog";
    private static RunningManager app;
    private static String payments;
    private static String search;
    private static String operator;

    @BeforeAll
    static void startManagerWithAPaymentsService() throws Exception {
        app = RunningManager.start(ManagerUnderTest.config(ZK.connectString(), "edge"));
        assertThat(send("PUT", api("/services/payments"),
                "{\"owners\":[\"team-payments\"],\"basePath\":\"/pay\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);
        assertThat(send("POST", api("/services/payments/upstreams"), "{\"host\":\"127.0.0.1\",\"port\":18081}").statusCode()).isEqualTo(200);
        payments = token("team-payments", "service-owner");
        search = token("team-search", "service-owner");
        operator = token("sre", "operator");
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aTeamTokenCannotReadTheTokenList() throws Exception {
        HttpResponse<String> listed = sendAs(search, "GET", api("/tokens"), null);

        assertThat(listed.statusCode()).isEqualTo(403);
        assertThat(json(listed).path("message").asText()).contains("admin");
        assertThat(listed.body()).doesNotContain("sha256").doesNotContain("lbm_");
        HttpResponse<String> asAdmin = send("GET", api("/tokens"), null);
        assertThat(asAdmin.statusCode()).isEqualTo(200);
        assertThat(asAdmin.body()).doesNotContain("sha256").doesNotContain(search).doesNotContain(TestTokens.ADMIN);
    }

    @Test
    void aTeamTokenCannotChangeDeleteOrTouchTheUpstreamsOfAnotherTeamsService() throws Exception {
        SortedMap<String, String> before = ZK.tree(CATALOG);
        long since = System.currentTimeMillis();

        List<HttpResponse<String>> refused = List.of(
                sendAs(search, "PUT", api("/services/payments"), "{\"owners\":[\"team-search\"],\"basePath\":\"/pay\",\"groups\":[\"edge\"]}"),
                sendAs(search, "DELETE", api("/services/payments"), null),
                sendAs(search, "POST", api("/services/payments/upstreams"), "{\"host\":\"127.0.0.1\",\"port\":18099}"),
                sendAs(search, "DELETE", api("/services/payments/upstreams/127.0.0.1:18081"), null));

        for (HttpResponse<String> response : refused) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
            assertThat(json(response).path("message").asText()).contains("team-search").contains("payments");
        }
        assertThat(ZK.tree(CATALOG)).as("catalog unchanged").isEqualTo(before);
        JsonNode audit = json(send("GET", api("/audit?team=team-search&outcome=refused&service=payments&since=" + since), null));
        assertThat(audit).hasSize(4);
        assertThat(audit.findValuesAsText("method")).containsExactlyInAnyOrder("PUT", "DELETE", "POST", "DELETE");
        assertThat(audit.get(0).path("status").asInt()).isEqualTo(403);
        assertThat(audit.get(0).path("tokenId").asText()).isEqualTo(TokenSecrets.idOf(search));
        assertThat(audit.get(0).path("before").path("owners").get(0).asText()).isEqualTo("team-payments");
        assertThat(audit.get(0).has("after")).isFalse();
    }

    @Test
    void aTeamTokenCannotTakeTheBasePathOfAnotherTeamsService() throws Exception {
        SortedMap<String, String> before = ZK.tree(CATALOG);

        HttpResponse<String> taken = sendAs(search, "PUT", api("/services/search"),
                "{\"owners\":[\"team-search\"],\"basePath\":\"/pay\",\"groups\":[\"edge\"]}");

        assertThat(taken.statusCode()).isEqualTo(403);
        assertThat(json(taken).path("message").asText()).contains("base path /pay").contains("another team");
        assertThat(ZK.tree(CATALOG)).isEqualTo(before);
        assertThat(json(send("GET", api("/audit?service=search&outcome=403&limit=1"), null)).get(0).path("team").asText())
                .isEqualTo("team-search");
    }

    @Test
    void aServiceOwnerCannotDropItsTeamFromOwnersNorAddItselfToAnotherTeamsService() throws Exception {
        assertThat(sendAs(search, "PUT", api("/services/search-api"),
                "{\"owners\":[\"team-search\"],\"basePath\":\"/search-api\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);
        SortedMap<String, String> before = ZK.tree(CATALOG);

        HttpResponse<String> dropped = sendAs(search, "PUT", api("/services/search-api"),
                "{\"owners\":[\"team-other\"],\"basePath\":\"/search-api\",\"groups\":[\"edge\"]}");
        HttpResponse<String> joined = sendAs(search, "PUT", api("/services/payments"),
                "{\"owners\":[\"team-payments\",\"team-search\"],\"basePath\":\"/pay\",\"groups\":[\"edge\"]}");
        HttpResponse<String> foreignCreate = sendAs(search, "PUT", api("/services/orders"),
                "{\"owners\":[\"team-orders\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"]}");

        assertThat(dropped.statusCode()).isEqualTo(403);
        assertThat(json(dropped).path("message").asText()).contains("cannot remove its own team from owners");
        assertThat(joined.statusCode()).isEqualTo(403);
        assertThat(foreignCreate.statusCode()).isEqualTo(403);
        assertThat(ZK.tree(CATALOG)).isEqualTo(before);
    }

    @Test
    void aServiceOwnerChangesItsOwnServiceAndTheAuditHasBeforeAndAfter() throws Exception {
        HttpResponse<String> created = sendAs(payments, "PUT", api("/services/payments-admin"),
                "{\"owners\":[\"team-payments\"],\"basePath\":\"/pay-admin\",\"groups\":[\"edge\"]}");
        HttpResponse<String> moved = sendAs(payments, "PUT", api("/services/payments-admin"),
                "{\"owners\":[\"team-payments\",\"team-search\"],\"basePath\":\"/pay-admin2\",\"groups\":[\"edge\"]}");
        HttpResponse<String> upstream = sendAs(payments, "POST", api("/services/payments-admin/upstreams"),
                "{\"host\":\"127.0.0.1\",\"port\":18082}");

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(json(created).path("updatedBy").asText()).isEqualTo(TokenSecrets.idOf(payments) + "@team-payments");
        assertThat(moved.statusCode()).isEqualTo(200);
        assertThat(upstream.statusCode()).isEqualTo(200);
        assertThat(sendAs(search, "DELETE", api("/services/payments-admin"), null).statusCode())
                .as("team-search is an owner now").isEqualTo(204);
        JsonNode audit = json(send("GET", api("/audit?service=payments-admin&limit=10"), null));
        assertThat(audit.findValuesAsText("method")).containsExactly("DELETE", "POST", "PUT", "PUT");
        JsonNode move = audit.get(2);
        assertThat(move.path("before").path("basePath").asText()).isEqualTo("/pay-admin");
        assertThat(move.path("after").path("basePath").asText()).isEqualTo("/pay-admin2");
        assertThat(move.path("scopes").toString()).contains("service-owner");
        assertThat(audit.get(0).path("team").asText()).isEqualTo("team-search");
        assertThat(audit.get(0).has("after")).isFalse();
    }

    @Test
    void anExpiredTokenGets401() throws Exception {
        String id = TokenSecrets.newId();
        String secret = TokenSecrets.newSecret(id);
        long now = System.currentTimeMillis();
        new TokenStore(ZK.curator(), LAYOUT).create(new TokenRecord(id, "team-payments", List.of("service-owner"), "test",
                now - 120_000, now - 60_000, 0, 0, null, TokenSecrets.sha256(secret)));

        HttpResponse<String> read = sendAs(secret, "GET", api("/services"), null);
        HttpResponse<String> write = sendAs(secret, "DELETE", api("/services/payments"), null);

        assertThat(read.statusCode()).isEqualTo(401);
        assertThat(json(read).path("message").asText()).contains("expired");
        assertThat(read.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(write.statusCode()).isEqualTo(401);
        assertThat(json(send("GET", api("/services/payments"), null)).path("definition").path("id").asText()).isEqualTo("payments");
    }

    @Test
    void aRevokedTokenGets401AndARotatedOneOnlyWorksWithItsNewSecret() throws Exception {
        String revoked = token("team-gone", "read");
        String rotated = token("team-rotating", "read");
        assertThat(sendAs(revoked, "GET", api("/services"), null).statusCode()).isEqualTo(200);

        assertThat(send("DELETE", api("/tokens/" + TokenSecrets.idOf(revoked)), null).statusCode()).isEqualTo(200);
        HttpResponse<String> rotation = send("POST", api("/tokens/" + TokenSecrets.idOf(rotated) + "/rotate"), null);

        assertThat(sendAs(revoked, "GET", api("/services"), null).statusCode()).isEqualTo(401);
        assertThat(rotation.statusCode()).isEqualTo(200);
        String fresh = json(rotation).path("secret").asText();
        assertThat(TokenSecrets.idOf(fresh)).isEqualTo(TokenSecrets.idOf(rotated));
        assertThat(sendAs(rotated, "GET", api("/services"), null).statusCode()).isEqualTo(401);
        assertThat(sendAs(fresh, "GET", api("/services"), null).statusCode()).isEqualTo(200);
        JsonNode listed = json(send("GET", api("/tokens"), null));
        for (JsonNode token : listed) {
            if (token.path("id").asText().equals(TokenSecrets.idOf(revoked))) {
                assertThat(token.path("state").asText()).isEqualTo("revoked");
            }
        }
    }

    @Test
    void noTokenOrAnUnknownOneGets401AndNothingIsWritten() throws Exception {
        SortedMap<String, String> before = ZK.tree(CATALOG);

        assertThat(sendAs(null, "GET", api("/services"), null).statusCode()).isEqualTo(401);
        assertThat(sendAs(null, "DELETE", api("/services/payments"), null).statusCode()).isEqualTo(401);
        assertThat(sendAs(TokenSecrets.newSecret(TokenSecrets.newId()), "DELETE", api("/services/payments"), null).statusCode())
                .isEqualTo(401);
        assertThat(sendAs("not-a-token-at-all-but-long-enough-to-look-like-one", "DELETE", api("/services/payments"), null)
                .statusCode()).isEqualTo(401);

        assertThat(ZK.tree(CATALOG)).isEqualTo(before);
        assertThat(json(send("GET", api("/audit?service=payments&outcome=401&limit=3"), null))).hasSize(3);
    }

    @Test
    void aTokenInTheQueryStringIsRefusedEvenAValidOne() throws Exception {
        SortedMap<String, String> before = ZK.tree(CATALOG);

        HttpResponse<String> read = sendAs(null, "GET", api("/services?access_token=" + TestTokens.ADMIN), null);
        HttpResponse<String> write = sendAs(null, "DELETE", api("/services/payments?x=" + TestTokens.ADMIN), null);
        HttpResponse<String> withHeaderToo = send("DELETE", api("/services/payments?token=" + TestTokens.ADMIN), null);

        assertThat(read.statusCode()).isEqualTo(400);
        assertThat(json(read).path("field").asText()).isEqualTo("access_token");
        assertThat(json(read).path("message").asText()).contains("Authorization");
        assertThat(write.statusCode()).isEqualTo(400);
        assertThat(withHeaderToo.statusCode()).isEqualTo(400);
        assertThat(ZK.tree(CATALOG)).isEqualTo(before);
    }

    @Test
    void aServiceOwnerCannotProposeTemplatesAnOperatorCan() throws Exception {
        String location = Files.readString(ManagerUnderTest.templatesDir().resolve("location.conf.ftl"));
        String body = JSON.writeValueAsString(Map.of("templates", Map.of("location.conf.ftl", location)));

        HttpResponse<String> asOwner = sendAs(payments, "POST", api("/validate"), body);
        HttpResponse<String> asOperator = sendAs(operator, "POST", api("/validate"), body);
        HttpResponse<String> asReader = sendAs(token("team-ci", "read"), "POST", api("/validate"), body);

        assertThat(asOwner.statusCode()).isEqualTo(403);
        assertThat(json(asOwner).path("message").asText()).contains("operator");
        assertThat(asOperator.statusCode()).as(asOperator.body()).isEqualTo(200);
        assertThat(json(asOperator).path("valid").asBoolean()).isTrue();
        assertThat(asReader.statusCode()).isEqualTo(403);
    }

    @Test
    void aServiceOwnerValidatesChangesToItsOwnServicesOnly() throws Exception {
        String own = "{\"serviceId\":\"payments\",\"service\":{\"owners\":[\"team-payments\"],\"basePath\":\"/pay\",\"groups\":[\"edge\"],"
                + "\"options\":{\"proxyReadTimeoutMs\":5000}}}";
        String foreign = "{\"serviceId\":\"payments\",\"service\":{\"owners\":[\"team-search\"],\"basePath\":\"/pay\",\"groups\":[\"edge\"]}}";

        assertThat(sendAs(payments, "POST", api("/validate"), own).statusCode()).isEqualTo(200);
        assertThat(sendAs(search, "POST", api("/validate"), foreign).statusCode()).isEqualTo(403);
    }

    @Test
    void operatorsPinButCannotChangeServicesOrTokens() throws Exception {
        assertThat(sendAs(operator, "PUT", api("/groups/edge/pin"), "{\"reason\":\"incident 12\"}").statusCode()).isEqualTo(200);
        assertThat(sendAs(operator, "DELETE", api("/groups/edge/pin"), null).statusCode()).isEqualTo(204);
        assertThat(sendAs(payments, "PUT", api("/groups/edge/pin"), "{\"reason\":\"x\"}").statusCode()).isEqualTo(403);
        assertThat(sendAs(operator, "DELETE", api("/services/payments"), null).statusCode()).isEqualTo(403);
        HttpResponse<String> minted = sendAs(operator, "POST", api("/tokens"), "{\"team\":\"sre\",\"scopes\":[\"admin\"]}");
        assertThat(minted.statusCode()).isEqualTo(403);
        assertThat(json(minted).path("message").asText()).contains("admin");
        assertThat(minted.body()).doesNotContain("secret");
    }

    @Test
    void whoamiNamesTheTeamAndScopesAndLastUseIsRecorded() throws Exception {
        JsonNode me = json(sendAs(search, "GET", api("/auth/whoami"), null));

        assertThat(me.path("team").asText()).isEqualTo("team-search");
        assertThat(me.path("scopes").toString()).contains("read").contains("service-owner").doesNotContain("admin");
        await("last use recorded", Duration.ofSeconds(5), () -> {
            for (JsonNode token : json(send("GET", api("/tokens"), null))) {
                if (token.path("id").asText().equals(TokenSecrets.idOf(search))) {
                    return token.path("lastUsedAtMillis").asLong() > 0;
                }
            }
            return false;
        });
    }

    @Test
    void tokensAreStoredOnlyAsHashes() throws Exception {
        String stored = ZK.text(LAYOUT.token(TokenSecrets.idOf(search)));

        assertThat(stored).doesNotContain(search).contains(TokenSecrets.sha256(search));
        assertThat(ZK.tree(LAYOUT.tokens()).toString()).doesNotContain(TestTokens.ADMIN);
    }

    private static String token(String team, String scope) throws Exception {
        HttpResponse<String> created = send("POST", api("/tokens"),
                "{\"team\":\"" + team + "\",\"scopes\":[\"" + scope + "\"],\"ttl\":\"90d\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String secret = json(created).path("secret").asText();
        assertThat(secret).startsWith("lbm_");
        return secret;
    }

    private static String api(String path) {
        return app.api(path);
    }
}
