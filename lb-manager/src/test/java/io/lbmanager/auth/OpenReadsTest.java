package io.lbmanager.auth;

import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;

import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.sendAs;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code api.readsNeedToken: false}: reads are open to anyone, everything else still needs its scope. */
class OpenReadsTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static RunningManager app;

    @BeforeAll
    static void startManagerWithOpenReads() throws Exception {
        LbManagerConfiguration config = ManagerUnderTest.config(ZK.connectString(), "edge");
        config.api.readsNeedToken = false;
        app = RunningManager.start(config);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void readsNeedNoTokenWritesAndTheTokenListStillDo() throws Exception {
        HttpResponse<String> whoami = sendAs(null, "GET", api("/auth/whoami"), null);

        assertThat(sendAs(null, "GET", api("/services"), null).statusCode()).isEqualTo(200);
        assertThat(whoami.statusCode()).isEqualTo(200);
        assertThat(json(whoami).path("anonymous").asBoolean()).isTrue();
        assertThat(json(whoami).path("scopes").toString()).isEqualTo("[\"read\"]");
        assertThat(sendAs(null, "GET", api("/tokens"), null).statusCode()).isEqualTo(401);
        assertThat(sendAs(null, "PUT", api("/services/open"), "{\"owners\":[\"t\"],\"basePath\":\"/open\",\"groups\":[\"edge\"]}")
                .statusCode()).isEqualTo(401);
        assertThat(sendAs("lbm_unknown_token_is_still_refused_even_for_reads", "GET", api("/services"), null).statusCode())
                .isEqualTo(401);
    }

    private static String api(String path) {
        return app.api(path);
    }
}
