package io.lbmanager.cli.lbm;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.LbmCli;
import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.TestTokens;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code lbm groups ...} against the whole manager (real ZooKeeper, real nginx -t, real HTTP; no Nginx fleet, so rollouts end at once). */
class LbmGroupsCliTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension APP = new ManagerExtension(ZK, zk -> ManagerUnderTest.config(zk, "edge", "quiet"));

    @Test
    void statusHistoryVersionsDiffRollbackPinAndUnpin() throws Exception {
        long first = publish("gr-one");
        long second = publish("gr-two");

        LbmCli.Run listed = lbm("groups", "list");
        LbmCli.Run status = lbm("groups", "status", "edge");
        LbmCli.Run versions = lbm("groups", "versions", "edge");
        LbmCli.Run history = lbm("groups", "history", "edge", "--limit", "5");
        LbmCli.Run diff = lbm("groups", "diff", "edge", String.valueOf(first), String.valueOf(second));
        System.out.printf("lbm groups status edge:%n%s%nlbm groups history edge:%n%s", status.output(), history.output());

        assertThat(listed.output()).containsPattern("(?m)^edge\\s+2 service\\(s\\): gr-one, gr-two$").contains("quiet");
        assertThat(status.exit()).as(status.output()).isZero();
        assertThat(status.output()).startsWith("group edge  target v" + second).contains("live v" + second, "render CURRENT: 2 service(s)");
        assertThat(versions.output()).contains("v" + first + " ", "v" + second + " ");
        assertThat(history.output()).contains("SUCCEEDED", "-> v" + second, "by ");
        assertThat(diff.exit()).isZero();
        assertThat(diff.output()).contains("gr-two");

        LbmCli.Run rollback = lbm("groups", "rollback", "edge", String.valueOf(first), "--reason", "gr-two breaks checkout");
        assertThat(rollback.exit()).as(rollback.output()).isZero();
        assertThat(rollback.output()).contains("group edge rolling back to version " + first, "pinned");
        Await.await("edge serves v" + first + " again", Duration.ofSeconds(20),
                () -> APP.get("/api/v1/groups/edge/status").body().path("live").path("version").asLong() == first);
        assertThat(lbm("groups", "status", "edge").output()).contains("PINNED by " + TestTokens.ADMIN_ACTOR + ": ", "gr-two breaks checkout");

        LbmCli.Run unpinned = lbm("groups", "unpin", "edge");
        LbmCli.Run again = lbm("groups", "unpin", "edge");
        LbmCli.Run pinned = lbm("groups", "pin", "edge", "--reason", "change freeze");
        assertThat(unpinned.output()).isEqualTo("group edge unpinned\n");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.output()).isEqualTo("lbm: 404 group edge is not pinned (field group)\n");
        assertThat(pinned.output()).isEqualTo("group edge pinned by " + TestTokens.ADMIN_ACTOR + ": change freeze\n");
        assertThat(APP.get("/api/v1/groups/edge/status").body().path("pinned").path("reason").asText()).isEqualTo("change freeze");
        assertThat(lbm("groups", "unpin", "edge").exit()).isZero();
    }

    @Test
    void outputJsonIsTheApisAnswer() throws Exception {
        LbmCli.Run status = lbm("-o", "json", "groups", "status", "quiet");
        LbmCli.Run listed = lbm("groups", "list", "-o", "json");

        assertThat(status.exit()).isZero();
        JsonNode json = ManagerUnderTest.JSON.readTree(status.output());
        assertThat(json.path("group").asText()).isEqualTo("quiet");
        assertThat(json.has("agents")).isTrue();
        assertThat(ManagerUnderTest.JSON.readTree(listed.output()).findValuesAsText("name")).contains("edge", "quiet");
    }

    @Test
    void refusedCallsSayWhyAndExitNonZero() throws Exception {
        String reader = ManagerUnderTest.JSON.readTree(lbm("-o", "json", "tokens", "create", "--team", "viewers", "--scope", "read")
                .output()).path("secret").asText();

        LbmCli.Run unknownGroup = lbm("groups", "status", "nowhere");
        LbmCli.Run unknownVersion = lbm("groups", "rollback", "quiet", "999999", "--reason", "test");
        LbmCli.Run notAllowed = LbmCli.run(APP.port(), reader, "groups", "pin", "quiet", "--reason", "mine");
        LbmCli.Run noReason = lbm("groups", "pin", "quiet");

        assertThat(unknownGroup.exit()).isEqualTo(1);
        assertThat(unknownGroup.output()).isEqualTo("lbm: 404 no LB group named nowhere (field group)\n");
        assertThat(unknownVersion.exit()).isEqualTo(1);
        assertThat(unknownVersion.output()).startsWith("lbm: 4");
        assertThat(notAllowed.exit()).isEqualTo(1);
        assertThat(notAllowed.output()).startsWith("lbm: 403 ").contains("operator");
        assertThat(noReason.exit()).isEqualTo(2);
        assertThat(noReason.output()).contains("--reason");
        assertThat(APP.get("/api/v1/groups/quiet/status").body().path("pinned").isNull()).isTrue();
    }

    /** Defines a service in edge and returns the version that carries it once it is live. */
    private static long publish(String service) throws Exception {
        assertThat(APP.putJson("/api/v1/services/" + service,
                "{\"owners\":[\"gr-team\"],\"basePath\":\"/" + service + "\",\"groups\":[\"edge\"]}").status()).isEqualTo(201);
        Await.await(service + " live in edge", Duration.ofSeconds(20), () -> APP.get("/api/v1/groups/edge/config").text().contains(service)
                && APP.get("/api/v1/groups/edge/status").body().path("rollout").isNull());
        return APP.get("/api/v1/groups/edge/status").body().path("live").path("version").asLong();
    }

    private static LbmCli.Run lbm(String... args) {
        return LbmCli.run(APP.port(), TestTokens.ADMIN, args);
    }
}
