package io.lbmanager.cli.lbm;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.testsupport.LbmCli;
import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.TestTokens;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code lbm services ...} against the whole manager: real ZooKeeper, real HTTP, real nginx -t behind validate. */
class LbmServicesCliTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension APP = new ManagerExtension(ZK, zk -> ManagerUnderTest.config(zk, "edge"));

    @TempDir
    Path dir;

    @Test
    void putGetListChangeUpstreamsAndDeleteAService() throws Exception {
        Path file = serviceFile("orders", "/orders", ",\"upstreams\":[{\"host\":\"127.0.0.1\",\"port\":9000}]");

        LbmCli.Run created = lbm("services", "put", file.toString());
        LbmCli.Run updated = lbm("services", "put", file.toString());
        LbmCli.Run got = lbm("services", "get", "orders");
        LbmCli.Run listed = lbm("services", "list");
        LbmCli.Run added = lbm("services", "add-upstream", "orders", "127.0.0.1:9001");
        LbmCli.Run upstreams = lbm("services", "upstreams", "orders");
        LbmCli.Run removed = lbm("services", "remove-upstream", "orders", "127.0.0.1:9001");

        assertThat(created.exit()).as(created.output()).isZero();
        assertThat(created.output()).contains("service orders created", "base path /orders in edge", "1 static upstream(s)");
        assertThat(updated.output()).contains("service orders updated");
        assertThat(got.exit()).isZero();
        assertThat(got.output()).contains("service orders  base path /orders  groups edge", "owners: orders-team",
                "127.0.0.1:9000 weight 1", "updated by " + TestTokens.ADMIN_ACTOR);
        assertThat(listed.output()).containsPattern("(?m)^orders\\s+/orders\\s+edge\\s+orders-team$");
        assertThat(added.output()).contains("upstream 127.0.0.1:9001 added", "127.0.0.1:9001 weight 1");
        assertThat(upstreams.exit()).as(upstreams.output()).isZero();
        assertThat(upstreams.output()).contains("service orders", "group edge", "127.0.0.1:9000  weight 1", "127.0.0.1:9001  weight 1");
        assertThat(removed.output()).contains("removed from service orders").doesNotContain("9001 weight");
        assertThat(APP.get("/api/v1/services/orders").body().path("staticUpstreams")).hasSize(1);

        LbmCli.Run deleted = lbm("services", "delete", "orders");
        LbmCli.Run gone = lbm("services", "get", "orders");
        assertThat(deleted.exit()).isZero();
        assertThat(deleted.output()).isEqualTo("service orders deleted\n");
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.output()).isEqualTo("lbm: 404 service orders does not exist (field id)\n");
    }

    @Test
    void outputJsonIsTheApisAnswer() throws Exception {
        lbm("services", "put", serviceFile("json-svc", "/json-svc", "").toString());

        JsonNode got = json(lbm("-o", "json", "services", "get", "json-svc"));
        JsonNode listed = json(lbm("services", "list", "--output", "json"));
        JsonNode upstreams = json(lbm("services", "upstreams", "json-svc", "-o", "json"));

        assertThat(got.path("definition").path("id").asText()).isEqualTo("json-svc");
        assertThat(got).isEqualTo(APP.get("/api/v1/services/json-svc").body());
        assertThat(listed.path("services").findValuesAsText("id")).contains("json-svc");
        assertThat(upstreams.path("groups").get(0).path("group").asText()).isEqualTo("edge");
    }

    @Test
    void aRefusedPutPrintsTheApisCodeMessageAndFieldAndWritesNothing() throws Exception {
        Path bad = serviceFile("bad-path", "no-slash", "");

        LbmCli.Run refused = lbm("services", "put", bad.toString());
        LbmCli.Run refusedJson = lbm("-o", "json", "services", "put", bad.toString());

        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.output()).startsWith("lbm: 422 ").contains("(field basePath)").doesNotContain("Exception", "\tat ");
        assertThat(refusedJson.exit()).isEqualTo(1);
        String json = refusedJson.output().substring(refusedJson.output().indexOf('{'));
        assertThat(ManagerUnderTest.JSON.readTree(json).path("field").asText()).isEqualTo("basePath");
        assertThat(APP.get("/api/v1/services/bad-path").status()).isEqualTo(404);
    }

    @Test
    void anotherTeamsTokenIsRefusedWith403() throws Exception {
        lbm("services", "put", serviceFile("owned", "/owned", "").toString());
        String other = json(lbm("-o", "json", "tokens", "create", "--team", "other-team", "--scope", "service-owner")).path("secret").asText();

        LbmCli.Run refused = LbmCli.run(APP.port(), other, "services", "delete", "owned");

        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.output()).startsWith("lbm: 403 ");
        assertThat(APP.get("/api/v1/services/owned").status()).isEqualTo(200);
    }

    @Test
    void aFileThatIsNotAServiceIsAUsageErrorBeforeAnyCall() throws Exception {
        Path unknownField = Files.writeString(dir.resolve("typo.json"), "{\"id\":\"typo\",\"basepath\":\"/typo\"}");

        LbmCli.Run typo = lbm("services", "put", unknownField.toString());
        LbmCli.Run missing = lbm("services", "validate", dir.resolve("missing.json").toString());

        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.output()).contains("typo.json", "basepath");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.output()).contains("missing.json", "cannot read");
        assertThat(APP.get("/api/v1/services/typo").status()).isEqualTo(404);
    }

    @Test
    void validateSaysWhatNginxWouldGetAndRefusesATakenBasePath() throws Exception {
        lbm("services", "put", serviceFile("checkout", "/checkout", "").toString());

        LbmCli.Run valid = lbm("services", "validate", serviceFile("cart", "/cart", "").toString());
        JsonNode validJson = json(lbm("-o", "json", "services", "validate", serviceFile("cart", "/cart", "").toString()));
        LbmCli.Run clash = lbm("services", "validate", serviceFile("cart", "/checkout", "").toString());

        assertThat(valid.exit()).as(valid.output()).isZero();
        assertThat(valid.output()).contains("group edge: OK (nginx -t accepted it)", "/cart");
        assertThat(validJson.path("valid").asBoolean()).isTrue();
        assertThat(clash.exit()).isEqualTo(1);
        assertThat(clash.output()).contains("group edge: REJECTED", "base path /checkout is already owned by service checkout");
        assertThat(APP.get("/api/v1/services/cart").status()).as("validate writes nothing").isEqualTo(404);
    }

    private Path serviceFile(String id, String basePath, String more) throws Exception {
        return Files.writeString(dir.resolve(id + "-" + System.nanoTime() + ".json"), "{\"id\":\"" + id + "\",\"owners\":[\"orders-team\"],"
                + "\"basePath\":\"" + basePath + "\",\"groups\":[\"edge\"]" + more + "}");
    }

    private static JsonNode json(LbmCli.Run run) throws Exception {
        assertThat(run.exit()).as(run.output()).isZero();
        return ManagerUnderTest.JSON.readTree(run.output());
    }

    private static LbmCli.Run lbm(String... args) {
        return LbmCli.run(APP.port(), TestTokens.ADMIN, args);
    }
}
