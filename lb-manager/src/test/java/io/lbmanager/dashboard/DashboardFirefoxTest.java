package io.lbmanager.dashboard;

import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.TestTokens;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/** The same page in headless Firefox ESR: live data, search, a write's error in words. */
class DashboardFirefoxTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension APP = new ManagerExtension(ZK, zk -> ManagerUnderTest.config(zk, "edge"));
    private static Firefox firefox;

    @BeforeAll
    static void startFirefox() throws Exception {
        firefox = Firefox.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (firefox != null) {
            firefox.close();
        }
    }

    @Test
    void firefoxShowsLiveDataFiltersAndSaysWhatTheApiRefused() throws Exception {
        assertThat(send("PUT", api("/services/broken"), "{\"owners\":[\"b-team\"],\"basePath\":\"/broken\",\"groups\":[\"edge\"]}")
                .statusCode()).isEqualTo(201);
        send("POST", api("/services/broken/upstreams"), "{\"host\":\"nonexistent.invalid\",\"port\":80}");
        await("broken quarantined", Duration.ofSeconds(20),
                () -> json(get(api("/groups/edge/status"))).path("status").path("quarantined").has("broken"));

        firefox.open(base() + "/dashboard/#groups");
        firefox.until("the token form", Duration.ofSeconds(5),
                () -> firefox.js("return !document.getElementById('token-form').hidden").asBoolean());
        firefox.js("document.getElementById('token').value = arguments[0];"
                + " document.querySelector('#token-form button[type=submit]').click();", TestTokens.ADMIN);
        firefox.until("the quarantined service with Nginx's error", Duration.ofSeconds(5),
                () -> firefox.text("[data-group='edge']").contains("host not found in upstream \"nonexistent.invalid:80\""));
        firefox.screenshot("firefox-groups");

        send("PUT", api("/services/orders"), "{\"owners\":[\"orders-team\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"]}");
        firefox.js("document.getElementById('tab-services').click()");
        firefox.until("both services listed", Duration.ofSeconds(3), () -> firefox.text("#service-count").startsWith("2 of 2"));
        firefox.js("const i = document.getElementById('service-search'); i.value = 'orders-team';"
                + " i.dispatchEvent(new Event('input', {bubbles: true}));");
        firefox.until("the search applied", Duration.ofSeconds(2), () -> firefox.text("#service-count").startsWith("1 of 2"));
        assertThat(firefox.text("#service-rows")).contains("orders").doesNotContain("broken");
        firefox.screenshot("firefox-services");

        HttpResponse<String> refused = send("POST", api("/groups/edge/rollback"), "{\"version\":999999,\"reason\":\"stale page\"}");
        firefox.js("document.getElementById('tab-groups').click()");
        firefox.until("the rollback button", Duration.ofSeconds(3),
                () -> firefox.js("return !![...document.querySelectorAll('button')].find(b => b.textContent === 'Roll back config…')").asBoolean());
        firefox.js("[...document.querySelectorAll('button')].find(b => b.textContent === 'Roll back config…').click()");
        firefox.until("the dialog", Duration.ofSeconds(3), () -> firefox.js("return !!document.getElementById('confirm-version')").asBoolean());
        firefox.js("""
                const v = document.getElementById('confirm-version');
                if (v.tagName === 'SELECT') v.append(new Option('v999999', '999999'));
                v.value = '999999';
                document.getElementById('confirm-reason').value = 'stale page';
                document.querySelector('#confirm button[type=submit]').click();""");
        String expected = "POST /api/v1/groups/edge/rollback failed: HTTP " + refused.statusCode() + ": ";
        firefox.until("the refusal in words", Duration.ofSeconds(5), () -> firefox.text(".dialog-error").contains(expected));
        assertThat(firefox.text(".dialog-error")).contains(json(refused).path("message").asText());
        firefox.screenshot("firefox-action-error");
    }

    private static String base() {
        return APP.url("");
    }

    private static String api(String path) {
        return base() + "/api/v1" + path;
    }
}
