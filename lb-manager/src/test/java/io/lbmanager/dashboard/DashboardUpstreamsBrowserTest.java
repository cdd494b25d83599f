package io.lbmanager.dashboard;

import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.TestTokens;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Services view in the dynamic (Lua balancer) mode, in headless Chromium, against the whole
 * manager and two agents running the real nginx of this host: every address shown is one an Nginx
 * really routes to, never the placeholder {@code 0.0.0.1} of the rendered upstream block.
 */
class DashboardUpstreamsBrowserTest {

    private static final String PLACEHOLDER = "0.0.0.1";

    @TempDir
    static Path dir;
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension APP = new ManagerExtension(ZK, zk -> ManagerUnderTest.config(zk, "edge"));
    private static final List<HostAgent> agents = new ArrayList<>();
    private static TinyBackend backend;
    private static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        Browser.assumeInstalled();
        assertThat(json(get(api("/manager"))).path("upstreams").asText()).as("the manager runs the Lua balancer").isEqualTo("dynamic");
        backend = TinyBackend.answering("shop\n");
        for (int i = 1; i <= 2; i++) {
            agents.add(HostAgent.start(ZK.connectString(), "/lb-manager", "edge", "agent-" + i, dir.resolve("agent-" + i)));
        }
        assertThat(send("PUT", api("/services/shop"), "{\"owners\":[\"shop-team\"],\"basePath\":\"/shop\",\"groups\":[\"edge\"]}")
                .statusCode()).isEqualTo(201);
        assertThat(send("POST", api("/services/shop/upstreams"), "{\"host\":\"127.0.0.1\",\"port\":" + backend.port() + "}")
                .statusCode()).isEqualTo(200);
        assertThat(send("PUT", api("/services/empty"), "{\"owners\":[\"empty-team\"],\"basePath\":\"/empty\",\"groups\":[\"edge\"]}")
                .statusCode()).isEqualTo(201);
        for (HostAgent agent : agents) {
            await("agent " + agent.settings.agentId() + " routes /shop to the backend", Duration.ofSeconds(30),
                    () -> Http.tryGet(agent.trafficPort(), "/shop/x").body().equals("shop\n"));
        }
        browser = Browser.start();
        browser.useToken(TestTokens.ADMIN);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        agents.forEach(HostAgent::close);
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void theServicesViewShowsTheAddressesNginxRoutesToNotThePlaceholder() throws Exception {
        String address = "127.0.0.1:" + backend.port();
        browser.open(base() + "/dashboard/#services");
        browser.until(Duration.ofSeconds(10), d -> browser.text("tr[data-service='shop']").contains(address));
        String shop = browser.text("tr[data-service='shop']");
        assertThat(shop).contains(address).doesNotContain(PLACEHOLDER);
        assertThat(browser.text("#service-rows")).doesNotContain(PLACEHOLDER);

        browser.until(Duration.ofSeconds(10), d -> browser.text("tr[data-service='empty']").contains("no upstreams: requests get 503"));
        assertThat(browser.driver.findElements(By.cssSelector("tr[data-service='empty'] .no-upstreams.error"))).isNotEmpty();
        assertThat(browser.text("tr[data-service='empty']")).doesNotContain("live");
        browser.screenshot("services-dynamic-upstreams");
    }

    @Test
    void aSearchOpensTheServicePageWithEveryNginxAndItsTraffic() throws Exception {
        String address = "127.0.0.1:" + backend.port();
        for (HostAgent agent : agents) {
            for (int i = 0; i < 20; i++) {
                assertThat(Http.get(agent.trafficPort(), "/shop/x").status()).isEqualTo(200);
            }
        }
        browser.open(base() + "/dashboard/#services");
        browser.js("const i = document.getElementById('service-search'); i.value = 'shop-team';"
                + " i.dispatchEvent(new Event('input', {bubbles: true}));");
        browser.until(Duration.ofSeconds(5), d -> browser.text("#service-count").startsWith("1 of 2"));
        browser.js("document.getElementById('service-filters').requestSubmit()");
        browser.until(Duration.ofSeconds(10), d -> browser.find("#service-page").isDisplayed()
                && d.findElements(By.cssSelector("#service-page tr[data-agent]")).size() == 2);
        assertThat(browser.driver.getCurrentUrl()).endsWith("#service/shop");
        for (HostAgent agent : agents) {
            String id = agent.settings.agentId();
            browser.until(Duration.ofSeconds(10), d -> browser.text("#service-page tr[data-agent='" + id + "']").contains("current")
                    && browser.text("#service-page tr[data-agent='" + id + "']").matches("(?s).*\\b([2-9]\\d|\\d{3,}) requests, 0 5xx.*"));
            assertThat(browser.text("#service-page tr[data-agent='" + id + "']")).contains(address + " (static)").contains("req/s");
        }
        assertThat(browser.text("#service-page")).contains("Lua balancer").doesNotContain(PLACEHOLDER);
        browser.screenshot("service-page");

        browser.find("#service-page a[href='#services']").click();
        browser.until(Duration.ofSeconds(5), d -> browser.find("#service-listing").isDisplayed());
        assertThat(browser.find("#service-page").isDisplayed()).isFalse();
    }

    private static String base() {
        return APP.url("");
    }

    private static String api(String path) {
        return base() + "/api/v1" + path;
    }
}
