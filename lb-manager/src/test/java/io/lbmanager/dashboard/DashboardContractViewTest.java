package io.lbmanager.dashboard;

import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.TestTokens;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The views of what other parts of the manager are adding (rollouts, pins, versions and diffs, the
 * fleet and its deploys), rendered from answers shaped exactly like the agreed API contract. The page
 * comes from the real manager; a fetch wrapper installed before the page's own scripts answers those
 * endpoints with fixed data and records every write the page sends.
 */
class DashboardContractViewTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension APP = new ManagerExtension(ZK, zk -> ManagerUnderTest.config(zk, "edge"));
    private static Browser browser;

    /** Answers of the agreed contract for group edge; everything else goes to the real manager. */
    private static final String CONTRACT_API = """
            (() => {
              const now = Date.now();
              const rollout = {id: 'r-42', group: 'edge', version: 7, fromVersion: 6, state: 'IN_PROGRESS', cause: 'catalog change',
                actor: 'dave', startedAtMillis: now - 5000, finishedAtMillis: 0,
                failures: [{agentId: 'nginx-3', reason: 'nginx -s reload exited with 1'}]};
              const agent = (n, version, lag, state, error) => ({agentId: 'nginx-' + n, group: 'edge', host: '10.0.0.' + n,
                trafficPort: 8080, adminPort: 9090, runningVersion: version, runningSha256: 's' + version, state, error,
                updatedAtMillis: now - 1000, lag});
              const upgrade = {id: 'u-9', state: 'PAUSED', fromImage: 'lb-manager/nginx:1.1', toImage: 'lb-manager/nginx:1.2',
                stepSize: 1, step: 2, totalSteps: 3, message: 'paused by erin: watching 5xx rates',
                startedAtMillis: now - 600000, updatedAtMillis: now - 60000};
              const answers = {
                'GET /api/v1/groups/edge/status': [200, {group: 'edge',
                  target: {group: 'edge', version: 7, sha256: 'feed7', publishedAtMillis: now - 60000, cause: 'catalog change'},
                  live: {group: 'edge', version: 6, sha256: 'feed6', publishedAtMillis: now - 3600000, cause: 'catalog change'},
                  pinned: {by: 'carol', reason: 'freeze for the sale', atMillis: now - 7200000},
                  rollout,
                  status: {group: 'edge', state: 'CURRENT', targetVersion: 7, quarantined: {},
                    held: {payments: 'discovery went from 3 instances to 0; keeping the last 3'}},
                  agents: [agent(1, 7, 0, 'READY'), agent(2, 5, 2, 'READY'), agent(3, 6, 1, 'FAILED', 'reload failed: bind() failed')]}],
                'GET /api/v1/fleet/edge': [200, {group: 'edge', backend: 'docker', image: 'lb-manager/nginx:1.2', instances: 3,
                  blocked: {reason: 'incident INC-7', by: 'erin', atMillis: now - 300000},
                  tasks: [1, 2, 3].map((n) => ({taskId: 'lbm-edge-' + n, host: '10.0.0.' + n, trafficPort: 8080, adminPort: 9090,
                    image: n < 3 ? 'lb-manager/nginx:1.2' : 'lb-manager/nginx:1.1', running: true, ready: n !== 3})), upgrade}],
                'GET /api/v1/groups/edge/rollouts': [200, [rollout, {id: 'r-41', group: 'edge', version: 6, fromVersion: 5,
                  state: 'REVERTED', cause: 'catalog change', actor: 'pipeline', startedAtMillis: now - 90000000,
                  finishedAtMillis: now - 89990000, failures: [{agentId: 'nginx-2', reason: 'did not report v6 within 60 s'}],
                  timedOut: true}]],
                'GET /api/v1/groups/edge/versions': [200, [5, 6, 7].map((v) => ({group: 'edge', version: v, sha256: 'feed' + v,
                  publishedAtMillis: now - (8 - v) * 3600000, cause: v === 5 ? 'rollback' : 'catalog change'}))],
                'GET /api/v1/groups/edge/diff': [200, {from: 5, to: 7, diff: [
                  '--- a/nginx.conf', '+++ b/nginx.conf', '@@ -1,3 +1,3 @@', ' worker_processes auto;',
                  '-keepalive_timeout 65s;', '+keepalive_timeout 75s;', ' server_tokens off;',
                  '--- a/locations/orders.conf', '+++ b/locations/orders.conf', '@@ -1,2 +1,3 @@', ' location /orders/ {',
                  '+    proxy_read_timeout 5000ms;', ' }', ''].join('\\n')}],
                'GET /api/v1/fleet/edge/history': [200, [upgrade, {id: 'u-8', state: 'ROLLED_BACK', fromImage: 'lb-manager/nginx:1.1',
                  toImage: 'lb-manager/nginx:1.2-rc1', stepSize: 1, step: 1, totalSteps: 3,
                  message: 'rolled back to lb-manager/nginx:1.1: step 1/3: 3 failure(s) of new tasks, crash budget 2: task lbm-edge-1 '
                    + 'exited with status 3; last output: broken nginx image',
                  startedAtMillis: now - 86400000, updatedAtMillis: now - 86000000}]],
                'POST /api/v1/groups/edge/rollback': [202, {...rollout, id: 'r-43', version: 5, fromVersion: 7, actor: 'erin'}],
                'DELETE /api/v1/groups/edge/pin': [204, null],
                'POST /api/v1/fleet/edge/upgrade/resume': [200, {...upgrade, state: 'RUNNING'}],
                'DELETE /api/v1/fleet/edge/block': [204, null],
              };
              window.__writes = [];
              const realFetch = window.fetch.bind(window);
              window.fetch = async (url, init = {}) => {
                const method = (init.method || 'GET').toUpperCase();
                const u = new URL(url, location.href);
                if (method !== 'GET') {
                  window.__writes.push({method, path: u.pathname + u.search, body: init.body || null,
                    auth: (init.headers || {}).Authorization || null});
                }
                const answer = (window.__override || {})[method + ' ' + u.pathname] || answers[method + ' ' + u.pathname];
                if (!answer) return realFetch(url, init);
                const [status, body] = answer;
                return new Response(status === 204 ? null : typeof body === 'string' ? body : JSON.stringify(body),
                  {status, headers: {'Content-Type': 'application/json'}});
              };
            })();
            """;

    @BeforeAll
    static void startBrowser() throws Exception {
        browser = Browser.start();
        browser.useToken(TestTokens.ADMIN);
        browser.beforeEveryPage(CONTRACT_API);
        assertThat(send("PUT", APP.api("/services/payments"),
                "{\"owners\":[\"team-payments\"],\"basePath\":\"/payments\",\"groups\":[\"edge\"]}").statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void openGroups() {
        browser.open(page("#groups"));
        browser.until(Duration.ofSeconds(5), d -> browser.text("[data-group='edge']").contains("r-42"));
    }

    @Test
    void groupShowsTasksVersionsLagRolloutPinBlockAndPausedDeploy() throws Exception {
        String card = browser.text("[data-group='edge']");
        assertThat(card)
                .contains("pinned").contains("by carol: freeze for the sale")
                .contains("rollout in progress").contains("Config rollout in flight").contains("r-42: v6 → v7")
                .contains("1 of 3").contains("nginx-3: nginx -s reload exited with 1")
                .contains("Live (served by every Nginx)\nv6")
                .contains("deploys blocked").contains("by erin: incident INC-7")
                .contains("deploy paused").contains("u-9: lb-manager/nginx:1.1 → lb-manager/nginx:1.2").contains("2 of 3")
                .contains("paused by erin: watching 5xx rates")
                .contains("Held by the empty-list guard").contains("payments: discovery went from 3 instances to 0")
                .contains("1 Nginx failed");
        assertThat(rowOf("nginx-1")).contains("10.0.0.1:8080").contains("lb-manager/nginx:1.2").contains("v7").contains("current").contains("READY");
        assertThat(rowOf("nginx-2")).contains("v5").contains("2 behind");
        assertThat(rowOf("nginx-3")).contains("lb-manager/nginx:1.1").contains("1 behind").contains("FAILED")
                .contains("task not ready").contains("reload failed: bind() failed");
        assertThat(buttons()).containsExactly("Roll back config…", "Unpin", "Resume deploy", "Cancel deploy", "Roll back image…",
                "Unblock deploys");
        browser.screenshot("groups-rollout-and-deploy");

        browser.find("#tab-services").click();
        browser.until(Duration.ofSeconds(5), d -> browser.text("tr[data-service='payments']").contains("held"));
        assertThat(browser.text("tr[data-service='payments']")).contains("edge: discovery went from 3 instances to 0");
    }

    @Test
    void actionsAskThenSendTheContractsCallsWithTheToken() {
        click("Resume deploy");
        assertThat(browser.text("#confirm")).contains("Resume the Nginx deploy of edge");
        confirm();
        browser.until(Duration.ofSeconds(5), d -> browser.text("#notices").contains("resume the nginx deploy of edge: now RUNNING"));

        click("Unpin");
        confirm();
        browser.until(Duration.ofSeconds(5), d -> browser.text("#notices").contains("edge unpinned"));

        click("Unblock deploys");
        browser.find("#confirm button[type=button]").click(); // cancel: nothing is sent
        click("Roll back config…");
        WebElement version = browser.until(Duration.ofSeconds(5), d -> d.findElement(By.id("confirm-version")));
        new Select(version).selectByValue("5");
        browser.find("#confirm-reason").sendKeys("v7 breaks checkout");
        confirm();
        browser.until(Duration.ofSeconds(5), d -> browser.text("#notices").contains("rollback of edge to v5 accepted (rollout r-43, IN_PROGRESS)"));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> writes = (List<Map<String, Object>>) browser.js("return window.__writes");
        String bearer = TestTokens.bearer(TestTokens.ADMIN);
        assertThat(writes).extracting(w -> w.get("method") + " " + w.get("path") + " " + w.get("body") + " " + w.get("auth"))
                .containsExactly(
                        "POST /api/v1/fleet/edge/upgrade/resume null " + bearer,
                        "DELETE /api/v1/groups/edge/pin null " + bearer,
                        "POST /api/v1/groups/edge/rollback {\"version\":5,\"reason\":\"v7 breaks checkout\"} " + bearer);
    }

    @Test
    void historyShowsOutcomesAndASideBySideDiff() throws Exception {
        browser.find("#tab-history").click();
        browser.until(Duration.ofSeconds(5), d -> browser.text("#rollouts").contains("r-41"));
        assertThat(browser.text("#rollouts")).contains("v5 → v6").contains("REVERTED timed out").contains("nginx-2: did not report v6 within 60 s");
        assertThat(browser.text("#deploys")).contains("u-8").contains("ROLLED_BACK").contains("1 of 3");
        assertThat(browser.text("#deploys .error")).as("a rolled-back deploy's reason, marked as an error")
                .contains("task lbm-edge-1 exited with status 3; last output: broken nginx image");
        assertThat(browser.text("#versions")).contains("v5").contains("rollback").contains("Roll back to v5…").contains("current target");

        new Select(browser.find("#diff-from")).selectByValue("5");
        new Select(browser.find("#diff-to")).selectByValue("7");
        browser.find("#diff-form button[type=submit]").click();
        browser.until(Duration.ofSeconds(5), d -> !d.findElements(By.cssSelector("table.diff")).isEmpty());

        assertThat(browser.text("table.diff caption")).contains("nginx.conf").contains("locations/orders.conf");
        Object changed = browser.js("""
                const row = [...document.querySelectorAll('table.diff tr')].find(r => r.querySelector('td.del'));
                return [...row.querySelectorAll('td')].map(td => td.className + '=' + td.textContent);""");
        assertThat(changed).asList().containsExactly("n=2", "code del=removed: − keepalive_timeout 65s;",
                "n=2", "code add=added: + keepalive_timeout 75s;");
        Object added = browser.js("""
                const row = [...document.querySelectorAll('table.diff tr')].find(r => r.textContent.includes('proxy_read_timeout'));
                return [...row.querySelectorAll('td')].map(td => td.className + '=' + td.textContent);""");
        assertThat(added).asList().containsExactly("n empty=", "code empty=", "n=2", "code add=added: +     proxy_read_timeout 5000ms;");
        browser.js("document.getElementById('diff-output').scrollIntoView()");
        browser.screenshot("history-diff");
    }

    @Test
    void aFailingReadIsShownInWordsAndClearsWhenTheManagerRecovers() {
        browser.js("window.__override = {'GET /api/v1/services': [503, {code: 503, message: 'ZooKeeper is unreachable', field: null}],"
                + " 'GET /api/v1/fleet/edge': [500, '<html><body>Server Error: not json</body></html>']}");
        browser.until(Duration.ofSeconds(5), d -> browser.find("#problems").isDisplayed());
        browser.until(Duration.ofSeconds(5), d -> browser.text("#problems").contains("GET /api/v1/fleet/edge failed"));
        assertThat(browser.text("#problems")).contains("GET /api/v1/services failed: HTTP 503: ZooKeeper is unreachable")
                .contains("GET /api/v1/fleet/edge failed: HTTP 500: Server Error: not json");
        assertThat(browser.text("[data-group='edge']")).contains("Fleet: GET /api/v1/fleet/edge failed: HTTP 500");
        browser.js("window.__override = {}");
        browser.until(Duration.ofSeconds(5), d -> !d.findElement(By.id("problems")).isDisplayed());
        assertThat(browser.text("[data-group='edge']")).contains("deploy paused");
    }

    private static String rowOf(String agentId) {
        return String.valueOf(browser.js("""
                const row = [...document.querySelectorAll("[data-group='edge'] table.tasks tbody tr")]
                    .find(r => r.querySelector('th').textContent === arguments[0]);
                return row ? row.innerText : '';""", agentId));
    }

    private static List<String> buttons() {
        return browser.driver.findElements(By.cssSelector("[data-group='edge'] .actions button")).stream().map(WebElement::getText).toList();
    }

    private static void click(String button) {
        By by = By.xpath("//section[@data-group='edge']//button[.='" + button + "']");
        browser.until(Duration.ofSeconds(5), d -> !d.findElements(by).isEmpty());
        browser.driver.findElement(by).click();
        browser.until(Duration.ofSeconds(5), d -> d.findElement(By.id("confirm")).isDisplayed());
    }

    private static void confirm() {
        browser.find("#confirm button[type=submit]").click();
        browser.until(Duration.ofSeconds(5), d -> !d.findElement(By.id("confirm")).isDisplayed());
    }

    private static String page(String hash) {
        return APP.url("/dashboard/" + hash);
    }
}
