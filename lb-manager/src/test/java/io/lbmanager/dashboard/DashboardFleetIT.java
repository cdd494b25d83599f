package io.lbmanager.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.config.FleetConfig;
import io.lbmanager.fleet.DockerClients;
import io.lbmanager.testsupport.DockerSupport;
import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.TestTokens;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

import java.net.http.HttpResponse;
import java.time.Duration;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in headless Chromium over a manager running two real Nginx containers (the
 * lb-manager image on the local Docker engine): every task with the version it serves, a new
 * version reaching both, and a rollback from the page reaching both.
 */
class DashboardFleetIT {

    private static final String GROUP = "edge";
    private static final String FLEET = DockerSupport.uniqueFleetName("lbm-dash");
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension APP = new ManagerExtension(ZK, zk -> {
        LbManagerConfiguration config = ManagerUnderTest.config(zk, GROUP);
        config.fleet.backend = FleetConfig.Backend.DOCKER;
        config.fleet.image = DockerSupport.image();
        config.fleet.name = FLEET;
        config.fleet.instances.put(GROUP, 2);
        return config;
    }).afterManager(DashboardFleetIT::removeContainers);
    private static Browser browser;

    @BeforeEach
    void requireDockerBrowserAndTwoAgents() throws Exception {
        DockerSupport.assumeUsable(DockerSupport.whyUnusable(DockerSupport.image()));
        Browser.assumeInstalled();
        if (browser == null) {
            browser = Browser.start();
            browser.useToken(TestTokens.ADMIN);
        }
        await("two Nginx agents of edge READY", Duration.ofSeconds(90), () -> {
            JsonNode agents = json(get(api("/groups/edge/status"))).path("agents");
            return agents.size() == 2 && agents.get(0).path("state").asText().equals("READY")
                    && agents.get(1).path("state").asText().equals("READY");
        });
    }

    @AfterAll
    static void closeBrowser() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    /**
     * Removes this run's containers after the manager has stopped ({@link ManagerExtension#afterManager}):
     * removed any earlier, its fleet reconciler would start them again.
     */
    private static void removeContainers() {
        try (DockerClient docker = DockerClients.local()) {
            DockerSupport.removeFleet(docker, FLEET);
        } catch (Exception e) {
            // no Docker: nothing was started
        }
    }

    @Test
    void everyNginxTaskShowsTheVersionItServesAndANewVersionReachesThem() throws Exception {
        browser.open(base() + "/dashboard/#groups");
        browser.until(Duration.ofSeconds(10), d -> tasksAt(targetVersion()) == 2);
        for (JsonNode agent : json(get(api("/groups/edge/status"))).path("agents")) {
            assertThat(browser.text("[data-group='edge'] table.tasks")).contains(agent.path("agentId").asText())
                    .contains(agent.path("host").asText() + ":" + agent.path("trafficPort").asInt());
        }

        long before = targetVersion();
        assertThat(send("PUT", api("/services/shop"), "{\"owners\":[\"shop-team\"],\"basePath\":\"/shop\",\"groups\":[\"edge\"]}")
                .statusCode()).isEqualTo(201);
        await("a new version published", Duration.ofSeconds(20), () -> targetVersion() > before);
        browser.until(Duration.ofSeconds(30), d -> tasksAt(targetVersion()) == 2);
        assertThat(browser.text("[data-group='edge'] table.tasks")).contains("current").doesNotContain("behind");
        browser.screenshot("groups-real-fleet");
    }

    @Test
    void aRollbackFromThePageReachesEveryNginx() throws Exception {
        HttpResponse<String> probe = get(api("/groups/edge/versions"));
        assertThat(probe.statusCode()).as("GET /api/v1/groups/edge/versions").isEqualTo(200);
        send("PUT", api("/services/rb-one"), "{\"owners\":[\"rb\"],\"basePath\":\"/rb-one\",\"groups\":[\"edge\"]}");
        await("rb-one published", Duration.ofSeconds(20), () -> get(api("/groups/edge/config")).body().contains("rb-one"));
        JsonNode good = json(get(api("/groups/edge/status"))).path("target");
        send("PUT", api("/services/rb-two"), "{\"owners\":[\"rb\"],\"basePath\":\"/rb-two\",\"groups\":[\"edge\"]}");
        await("rb-two served by both", Duration.ofSeconds(30), () -> agentsServing(json(get(api("/groups/edge/config"))).path("sha256").asText()) == 2
                && get(api("/groups/edge/config")).body().contains("rb-two"));

        browser.open(base() + "/dashboard/#history");
        new Select(browser.find("#history-group")).selectByValue("edge");
        By button = By.xpath("//button[.='Roll back to v" + good.path("version").asLong() + "…']");
        browser.until(Duration.ofSeconds(10), d -> !d.findElements(button).isEmpty());
        browser.driver.findElement(button).click();
        browser.until(Duration.ofSeconds(5), d -> d.findElement(By.id("confirm-reason"))).sendKeys("rb-two breaks checkout");
        browser.find("#confirm button[type=submit]").click();
        browser.until(Duration.ofSeconds(5), d -> browser.text("#notices").contains("accepted"));

        await("both Nginx serve the rolled-back config", Duration.ofSeconds(30),
                () -> agentsServing(good.path("sha256").asText()) == 2);
        browser.find("#tab-groups").click();
        browser.until(Duration.ofSeconds(5), d -> tasksAt(targetVersion()) == 2);
        browser.screenshot("groups-after-rollback");
        assertThat(json(get(api("/groups/edge/status"))).path("pinned").path("by").asText()).isEqualTo(TestTokens.ADMIN_ACTOR);
        assertThat(send("DELETE", api("/groups/edge/pin"), null).statusCode()).isEqualTo(204);
    }

    /** Task rows that run this version, READY and not behind. */
    private static long tasksAt(long version) {
        return ((Number) browser.js("""
                return [...document.querySelectorAll("[data-group='edge'] table.tasks tbody tr")].filter(row => {
                  const cells = [...row.children].map(c => c.innerText.trim());
                  return cells[3] === 'v' + arguments[0] && cells[4] === 'current' && cells[5].startsWith('READY');
                }).length;""", version)).longValue();
    }

    private static long agentsServing(String sha256) throws Exception {
        long n = 0;
        for (JsonNode agent : json(get(api("/groups/edge/status"))).path("agents")) {
            if (agent.path("runningSha256").asText().equals(sha256) && agent.path("state").asText().equals("READY")) {
                n++;
            }
        }
        return n;
    }

    private static long targetVersion() {
        try {
            return json(get(api("/groups/edge/status"))).path("target").path("version").asLong(-1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base() {
        return APP.url("");
    }

    private static String api(String path) {
        return base() + "/api/v1" + path;
    }
}
