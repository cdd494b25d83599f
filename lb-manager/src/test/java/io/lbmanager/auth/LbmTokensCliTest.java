package io.lbmanager.auth;

import io.lbmanager.testsupport.LbmCli;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.TestTokens;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.lbmanager.testsupport.ManagerUnderTest.sendAs;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code lbm tokens create | list | revoke | rotate} against the whole manager over real HTTP. */
class LbmTokensCliTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static RunningManager app;

    @BeforeAll
    static void startManager() throws Exception {
        app = RunningManager.start(ManagerUnderTest.config(ZK.connectString(), "edge"));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void createListRotateAndRevokeATeamToken() throws Exception {
        LbmCli.Run created = lbm(TestTokens.ADMIN, "tokens", "create", "--team", "team-payments", "--scope", "service-owner",
                "--ttl", "90d");
        assertThat(created.exit()).as(created.output()).isZero();
        String secret = created.output().lines().findFirst().orElseThrow();
        String id = TokenSecrets.idOf(secret);
        assertThat(secret).startsWith("lbm_");
        assertThat(created.output()).contains("team team-payments", "scopes service-owner", "shown only now");
        assertThat(sendAs(secret, "GET", api("/auth/whoami"), null).body()).contains("team-payments");

        LbmCli.Run listed = lbm(TestTokens.ADMIN, "tokens", "list");
        assertThat(listed.exit()).isZero();
        assertThat(listed.output()).contains(id).contains("active").contains("team-payments").doesNotContain(secret);

        LbmCli.Run rotated = lbm(TestTokens.ADMIN, "tokens", "rotate", id);
        assertThat(rotated.exit()).as(rotated.output()).isZero();
        String fresh = rotated.output().lines().findFirst().orElseThrow();
        assertThat(sendAs(secret, "GET", api("/services"), null).statusCode()).isEqualTo(401);
        assertThat(sendAs(fresh, "GET", api("/services"), null).statusCode()).isEqualTo(200);

        assertThat(lbm(TestTokens.ADMIN, "tokens", "revoke", id).exit()).isZero();
        assertThat(sendAs(fresh, "GET", api("/services"), null).statusCode()).isEqualTo(401);
        assertThat(lbm(TestTokens.ADMIN, "tokens", "list").output()).contains("revoked");
    }

    @Test
    void withoutATokenOrWithATeamTokenTheCliIsRefusedAndSaysWhy() throws Exception {
        LbmCli.Run anonymous = lbm(null, "tokens", "list");
        String team = lbm(TestTokens.ADMIN, "tokens", "create", "--team", "team-x", "--scope", "read").output().lines().findFirst()
                .orElseThrow();
        LbmCli.Run reader = lbm(team, "tokens", "create", "--team", "team-x", "--scope", "admin");

        assertThat(anonymous.exit()).isEqualTo(1);
        assertThat(anonymous.output()).contains("401").contains("LBM_TOKEN");
        assertThat(reader.exit()).isEqualTo(1);
        assertThat(reader.output()).contains("403").contains("admin").doesNotContain("lbm_");
    }

    @Test
    void outputJsonCarriesTheSecretOnceAndAnUnknownIdIs404() throws Exception {
        LbmCli.Run created = lbm(TestTokens.ADMIN, "-o", "json", "tokens", "create", "--team", "team-ci", "--scope", "read", "--scope",
                "operator", "--ttl", "12h");
        LbmCli.Run listed = lbm(TestTokens.ADMIN, "tokens", "list", "--output", "json");
        LbmCli.Run unknown = lbm(TestTokens.ADMIN, "tokens", "revoke", "nosuchtoken1");

        assertThat(created.exit()).as(created.output()).isZero();
        com.fasterxml.jackson.databind.JsonNode issued = ManagerUnderTest.JSON.readTree(created.output());
        String secret = issued.path("secret").asText();
        assertThat(secret).startsWith("lbm_");
        assertThat(issued.path("token").path("scopes").toString()).contains("read", "operator");
        assertThat(issued.path("token").path("expiresAtMillis").asLong()).isPositive();
        assertThat(ManagerUnderTest.JSON.readTree(listed.output()).findValuesAsText("team")).contains("team-ci");
        assertThat(listed.output()).doesNotContain(secret);
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.output()).startsWith("lbm: 404 ");
    }

    private static LbmCli.Run lbm(String token, String... args) throws Exception {
        return LbmCli.run(app.port(), token, args);
    }

    private static String api(String path) {
        return app.api(path);
    }
}
