package io.lbmanager.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.TestTokens;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in real headless Chromium against the whole manager (real ZooKeeper server, real
 * nginx -t, no Nginx fleet), on free loopback ports.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension APP = new ManagerExtension(ZK, zk -> ManagerUnderTest.config(zk, "edge", "bulk"));
    private static Browser browser;

    @BeforeAll
    static void startBrowser() throws Exception {
        browser = Browser.start();
        browser.useToken(TestTokens.ADMIN);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void rootRedirectsToTheDashboardWhichLoadsNothingFromElsewhere() throws Exception {
        HttpResponse<String> root = get(base() + "/");
        assertThat(root.statusCode()).isEqualTo(303);
        assertThat(root.headers().firstValue("Location").orElse("")).endsWith("/dashboard/");
        HttpResponse<String> page = get(base() + "/dashboard/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(page.body()).contains("<title>lb-manager dashboard</title>");
        assertThat(get(base() + "/dashboard").statusCode()).as("/dashboard without the slash").isBetween(301, 308);
        assertThat(get(base() + "/dashboard/js/app.js").headers().firstValue("Content-Type").orElse("")).contains("javascript");

        browser.open(base() + "/dashboard/");
        assertThat(browser.find("#tab-groups").getAttribute("aria-selected")).isEqualTo("true");
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) browser.js(
                "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href]);");
        assertThat(loaded).isNotEmpty().allSatisfy(url -> assertThat(url).startsWith(base() + "/"));
    }

    @Test
    void aRegistrationAppearsWithinTwoSeconds() throws Exception {
        browser.open(base() + "/dashboard/#services");
        search("fresh-orders");
        browser.until(Duration.ofSeconds(5), d -> browser.find("#no-services").isDisplayed());

        HttpResponse<String> put = send("PUT", api("/services/fresh-orders"),
                "{\"owners\":[\"orders-team@example.com\"],\"basePath\":\"/fresh-orders\",\"groups\":[\"edge\"]}");
        assertThat(put.statusCode()).isEqualTo(201);
        long start = System.nanoTime();
        browser.until(Duration.ofSeconds(5), d -> !d.findElements(By.cssSelector("tr[data-service='fresh-orders']")).isEmpty());
        long millis = (System.nanoTime() - start) / 1_000_000;

        System.out.println("dashboard: the new service was on the page " + millis + " ms after its PUT");
        assertThat(millis).as("ms until the new service is on the page").isLessThan(2000);
        String row = browser.text("tr[data-service='fresh-orders']");
        assertThat(row).contains("orders-team@example.com").contains("/fresh-orders").contains("edge").contains("by " + TestTokens.ADMIN_ACTOR);
        browser.screenshot("services-new-registration");
    }

    @Test
    void aQuarantinedServiceShowsItsNginxError() throws Exception {
        assertThat(send("PUT", api("/services/broken"),
                "{\"owners\":[\"broken-team\"],\"basePath\":\"/broken\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);
        assertThat(send("POST", api("/services/broken/upstreams"), "{\"host\":\"nonexistent.invalid\",\"port\":80}").statusCode())
                .isEqualTo(200);
        await("broken quarantined", Duration.ofSeconds(20),
                () -> json(get(api("/groups/edge/status"))).path("status").path("quarantined").has("broken"));
        String nginxSays = json(get(api("/groups/edge/status"))).path("status").path("quarantined").path("broken").get(0)
                .path("message").asText();
        assertThat(nginxSays).contains("nonexistent.invalid");

        browser.open(base() + "/dashboard/#groups");
        browser.until(Duration.ofSeconds(5), d -> browser.text("[data-group='edge']").contains(nginxSays));
        assertThat(browser.text("[data-group='edge']")).contains("Quarantined services").contains("broken");
        browser.screenshot("groups");

        browser.find("#tab-services").click();
        search("broken");
        browser.until(Duration.ofSeconds(5), d -> browser.text("tr[data-service='broken']").contains(nginxSays));
        assertThat(browser.text("tr[data-service='broken']")).contains("quarantined").contains("static: nonexistent.invalid:80")
                .doesNotContain("answers 503");
        browser.screenshot("services-quarantined");
    }

    /** A stale page may offer a version that has been pruned since: the API's refusal is shown in words. */
    @Test
    void anApiErrorIsShownInWords() throws Exception {
        String body = "{\"version\":999999,\"reason\":\"test the error path\"}";
        HttpResponse<String> direct = send("POST", api("/groups/edge/rollback"), body);
        assertThat(direct.statusCode()).as(direct.body()).isBetween(400, 499);
        String message = json(direct).path("message").asText();
        assertThat(message).isNotBlank();

        browser.open(base() + "/dashboard/#groups");
        browser.until(Duration.ofSeconds(5), d -> !d.findElements(By.xpath("//section[@data-group='edge']//button[.='Roll back config…']")).isEmpty());
        browser.driver.findElement(By.xpath("//section[@data-group='edge']//button[.='Roll back config…']")).click();
        WebElement version = browser.until(Duration.ofSeconds(5), d -> d.findElement(By.id("confirm-version")));
        if (version.getTagName().equals("select")) {
            browser.js("arguments[0].append(new Option('v999999', '999999')); arguments[0].value = '999999';", version);
        } else {
            version.clear();
            version.sendKeys("999999");
        }
        browser.find("#confirm-reason").sendKeys("test the error path");
        browser.find("#confirm button[type=submit]").click();

        String expected = "POST /api/v1/groups/edge/rollback failed: HTTP " + direct.statusCode() + ": ";
        browser.until(Duration.ofSeconds(5), d -> browser.text(".dialog-error").contains(expected));
        assertThat(browser.text(".dialog-error")).contains(message);
        assertThat(browser.text("#notices")).contains(expected).contains(message);
        browser.screenshot("action-error");
        browser.find("#confirm button[type=button]").click();
    }

    @Test
    void unroutedDiscoveryNamesAreListed() throws Exception {
        ZK.write("/services/nobody-claims-me/i1",
                "{\"name\":\"nobody-claims-me\",\"id\":\"i1\",\"address\":\"127.0.0.1\",\"port\":9999}");
        browser.open(base() + "/dashboard/#services");
        browser.until(Duration.ofSeconds(10), d -> browser.text("#catalog-problems").contains("nobody-claims-me"));
        assertThat(browser.text("#catalog-problems")).contains("Unrouted discovery names (no service claims them)");
    }

    /** Last: the other tests see a small catalog, as most test set-ups do; this one fills it. */
    @Test
    @Order(Integer.MAX_VALUE)
    void filteringAThousandServicesStaysResponsive() throws Exception {
        createServices(1000);
        await("the 1,000 services rendered", Duration.ofSeconds(60),
                () -> json(get(api("/groups/bulk/status"))).path("status").path("services").asInt() == 1000);
        browser.open(base() + "/dashboard/#services");
        browser.until(Duration.ofSeconds(10), d -> browser.text("#service-count").matches("\\d+ of (\\d{4,}) services match.*"));
        browser.js("window.lbmStats.slowestRedrawMillis = 0");
        // A heartbeat every 10 ms: the longest gap between beats is the longest the page was unresponsive.
        browser.js("window.__maxGap = 0; let last = performance.now();"
                + " (function beat() { const now = performance.now(); window.__maxGap = Math.max(window.__maxGap, now - last);"
                + " last = now; setTimeout(beat, 10); })();");
        assertThat(browser.driver.findElements(By.cssSelector("#service-rows tr"))).hasSize(100);
        assertThat(browser.text("#service-count")).contains("showing the first 100");
        browser.screenshot("services-1000");

        long millis = filterMillis("bulk-0777");
        assertThat(millis).as("ms from typing to the filtered table").isLessThan(300);
        assertThat(browser.driver.findElements(By.cssSelector("#service-rows tr"))).hasSize(1);
        assertThat(browser.text("tr[data-service='bulk-0777']")).contains("/bulk/s0777");

        assertThat(filterMillis("")).as("ms to show the whole catalog again").isLessThan(300);
        new Select(browser.find("#service-group")).selectByValue("bulk");
        browser.until(Duration.ofSeconds(2), d -> browser.text("#service-count").startsWith("1000 of "));
        browser.find("#more-services").click();
        browser.until(Duration.ofSeconds(2), d -> d.findElements(By.cssSelector("#service-rows tr")).size() == 200);

        // The page keeps polling; a change still shows while 1,000 services are listed (the manager
        // re-renders all of them meanwhile, so this allows more than the 2 s of aRegistrationAppearsWithinTwoSeconds).
        search("bulk-0003");
        send("PUT", api("/services/bulk-0003"), "{\"owners\":[\"renamed-team\"],\"basePath\":\"/bulk/s0003\",\"groups\":[\"bulk\"]}");
        browser.until(Duration.ofSeconds(5), d -> browser.text("tr[data-service='bulk-0003']").contains("renamed-team"));

        assertThat(((Number) browser.js("return window.lbmStats.slowestRedrawMillis")).doubleValue())
                .as("slowest redraw (ms) of the page with 1,000 services").isLessThan(500);
        // Wall-clock, so it also counts the time a loaded machine does not schedule the browser: generous.
        assertThat(((Number) browser.js("return window.__maxGap")).doubleValue())
                .as("longest the page did not respond (ms) while polling, filtering and redrawing 1,000 services")
                .isLessThan(1500);
    }

    @Test
    void aRollbackFromThePageTakesEffect() throws Exception {
        HttpResponse<String> probe = get(api("/groups/edge/versions"));
        assertThat(probe.statusCode()).as("GET /api/v1/groups/edge/versions").isEqualTo(200);
        send("PUT", api("/services/rb-one"), "{\"owners\":[\"rb\"],\"basePath\":\"/rb-one\",\"groups\":[\"edge\"]}");
        await("rb-one published", Duration.ofSeconds(20), () -> get(api("/groups/edge/config")).body().contains("rb-one"));
        JsonNode before = json(get(api("/groups/edge/status"))).path("target");
        send("PUT", api("/services/rb-two"), "{\"owners\":[\"rb\"],\"basePath\":\"/rb-two\",\"groups\":[\"edge\"]}");
        await("rb-two published", Duration.ofSeconds(20), () -> get(api("/groups/edge/config")).body().contains("rb-two"));
        long old = before.path("version").asLong();

        browser.open(base() + "/dashboard/#history");
        new Select(browser.find("#history-group")).selectByValue("edge");
        By button = By.xpath("//button[.='Roll back to v" + old + "…']");
        browser.until(Duration.ofSeconds(10), d -> !d.findElements(button).isEmpty());
        browser.screenshot("history");
        browser.driver.findElement(button).click();
        browser.until(Duration.ofSeconds(5), d -> d.findElement(By.id("confirm-reason"))).sendKeys("rb-two breaks checkout");
        browser.find("#confirm button[type=submit]").click();

        browser.until(Duration.ofSeconds(5), d -> browser.text("#notices").contains("rollback of edge to v" + old + " accepted"));
        await("edge serves v" + old + "'s config again", Duration.ofSeconds(10),
                () -> json(get(api("/groups/edge/config"))).path("sha256").asText().equals(before.path("sha256").asText()));
        JsonNode rollout = json(get(api("/groups/edge/status"))).path("rollout");
        if (!rollout.isMissingNode() && !rollout.isNull()) {
            assertThat(rollout.path("actor").asText()).isEqualTo(TestTokens.ADMIN_ACTOR);
        }
        assertThat(json(get(api("/groups/edge/status"))).path("pinned").path("by").asText()).isEqualTo(TestTokens.ADMIN_ACTOR);
        assertThat(send("DELETE", api("/groups/edge/pin"), null).statusCode()).isEqualTo(204);
    }

    @Test
    void theDashboardAsksForATokenOnceShowsOnlyWhatItMayDoAndTheAudit() throws Exception {
        HttpResponse<String> created = send("POST", api("/tokens"), "{\"team\":\"team-viewers\",\"scopes\":[\"read\"]}");
        String reader = json(created).path("secret").asText();
        assertThat(send("PUT", api("/services/audited"), "{\"owners\":[\"a\"],\"basePath\":\"/audited\",\"groups\":[\"edge\"]}")
                .statusCode()).isEqualTo(201);
        browser.open(base() + "/dashboard/#groups");
        browser.js("sessionStorage.clear(); sessionStorage.setItem('lbm.noTestToken', '1');");
        try {
            browser.open(base() + "/dashboard/#groups");
            browser.until(Duration.ofSeconds(5), d -> browser.find("#token-form").isDisplayed());
            assertThat(browser.text("#token-error")).contains("needs an API token");

            browser.find("#token").sendKeys(reader);
            browser.find("#token-form button[type=submit]").click();
            browser.until(Duration.ofSeconds(5), d -> browser.find("#whoami").isDisplayed());
            assertThat(browser.text("#whoami")).contains("team-viewers").contains("read").doesNotContain("operator");
            assertThat((String) browser.js("return sessionStorage.getItem('lbm.token')")).isEqualTo(reader);
            assertThat((Object) browser.js("return localStorage.getItem('lbm.token')")).isNull();
            browser.until(Duration.ofSeconds(5), d -> browser.text("[data-group='edge']").contains("Config version"));
            assertThat(browser.driver.findElements(By.xpath("//section[@data-group='edge']//button[.='Pin…']")))
                    .allSatisfy(b -> assertThat(b.isDisplayed()).isFalse());
            browser.open(base() + "/dashboard/#groups");
            browser.until(Duration.ofSeconds(5), d -> browser.find("#whoami").isDisplayed());
            assertThat(browser.find("#token-form").isDisplayed()).as("asked once per tab").isFalse();

            browser.find("#tab-audit").click();
            browser.until(Duration.ofSeconds(5), d -> browser.text("#audit-rows").contains("PUT /api/v1/services/audited"));
            assertThat(browser.text("#audit-rows")).contains(TestTokens.ADMIN_ID).contains("201 ok").contains("/audited on edge");
            browser.screenshot("audit");

            browser.find("#forget-token").click();
            assertThat(browser.find("#token-form").isDisplayed()).isTrue();
            assertThat((Object) browser.js("return sessionStorage.getItem('lbm.token')")).isNull();
        } finally {
            browser.js("sessionStorage.clear();");
        }
    }

    private void search(String words) {
        browser.js("const i = document.getElementById('service-search'); i.value = arguments[0];"
                + " i.dispatchEvent(new Event('input', {bubbles: true}));", words);
    }

    /** Types into the search box in the page and measures until the table shows the result. */
    private long filterMillis(String words) {
        Object millis = browser.driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const input = document.getElementById('service-search');
                const count = document.getElementById('service-count');
                const before = count.textContent;
                const start = performance.now();
                input.value = arguments[0];
                input.dispatchEvent(new Event('input', {bubbles: true}));
                const check = () => count.textContent !== before ? done(performance.now() - start) : requestAnimationFrame(check);
                requestAnimationFrame(check);
                """, words);
        return Math.round(((Number) millis).doubleValue());
    }

    private static void createServices(int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Integer>> puts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String id = String.format("bulk-%04d", i);
                String body = String.format("{\"owners\":[\"team-%d\"],\"basePath\":\"/bulk/s%04d\",\"groups\":[\"bulk\"]}", i % 37, i);
                puts.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return send("PUT", api("/services/" + id), body).statusCode();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            for (CompletableFuture<Integer> put : puts) {
                assertThat(put.get()).isBetween(200, 201);
            }
        } finally {
            pool.shutdown();
        }
    }

    private static String base() {
        return APP.url("");
    }

    private static String api(String path) {
        return base() + "/api/v1" + path;
    }
}
