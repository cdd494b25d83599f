package io.lbmanager.baragon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.guava.GuavaModule;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.google.common.base.Optional;
import com.hubspot.baragon.models.BaragonRequest;
import com.hubspot.baragon.models.BaragonRequestState;
import com.hubspot.baragon.models.BaragonResponse;
import com.hubspot.baragon.models.BaragonService;
import com.hubspot.baragon.models.BaragonServiceState;
import com.hubspot.baragon.models.RequestAction;
import com.hubspot.baragon.models.UpstreamInfo;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.Load;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Baragon API as Singularity uses it, on real parts: a real ZooKeeper server, the manager over
 * real HTTP, an agent with this host's real nginx, real backends. Every body is built and every
 * answer parsed with HubSpot's own BaragonCore models, and the token travels as Singularity's
 * {@code loadBalancerQueryParams} would send it ({@code ?authkey=}).
 */
class BaragonApiOnHostTest {

    private static final String GROUP = "edge";
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final ObjectMapper BARAGON = new ObjectMapper().registerModule(new GuavaModule()).registerModule(new Jdk8Module());
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path dir;
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static RunningManager manager;
    private static HostAgent agent;
    private static final List<TinyBackend> backends = new ArrayList<>();
    private static String singularityKey;
    private static String otherTeamKey;

    @BeforeAll
    static void start() throws Exception {
        LbManagerConfiguration config = ManagerUnderTest.config(ZK.connectString(), GROUP);
        config.baragon.enabled = true;
        config.baragon.confirmTimeoutSeconds = 60;
        config.nginx.routing = "lua"; // the default: a service Singularity registers is routed by Lua, no location file
        manager = RunningManager.start(config);
        for (int i = 1; i <= 2; i++) {
            backends.add(TinyBackend.answering("b" + i + "\n"));
        }
        agent = HostAgent.start(ZK.connectString(), "/lb-manager", GROUP, "agent-1", dir.resolve("agent-1"));
        singularityKey = token("singularity", "service-owner");
        otherTeamKey = token("team-other", "service-owner");
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        if (manager != null) {
            manager.close();
        }
        backends.forEach(TinyBackend::close);
    }

    @Test
    void aDeployIsSuccessOnlyOnceNginxServesItTheNextSwapsUpstreamsWithoutAFailureAndDeleteRemovesTheRoute() throws Exception {
        BaragonService web = service("web", "/web", GROUP, Map.of("proxyReadTimeoutMs", 5000));
        BaragonResponse posted = post(new BaragonRequest("web-d1-1-100-DEPLOY-1", web, List.of(upstream(0)), List.of(), Optional.absent()));
        assertThat(posted.getLoadBalancerState()).as(posted.getMessage().orNull()).isIn(BaragonRequestState.WAITING, BaragonRequestState.SUCCESS);
        awaitSuccess("web-d1-1-100-DEPLOY-1");
        assertThat(Http.get(agent.trafficPort(), "/web/x").body()).as("served the moment the request said SUCCESS").isEqualTo("b1\n");

        try (Load load = Load.toPorts(() -> List.of(agent.trafficPort())).path("/web/x").everyMillis(5).maxRequests(5_000).maxTime(Duration.ofSeconds(60))
                .start()) {
            await("load is flowing", WITHIN, () -> load.sent() > 20);
            post(new BaragonRequest("web-d2-1-200-DEPLOY-1", web, List.of(upstream(1)), List.of(upstream(0)), Optional.absent()));
            awaitSuccess("web-d2-1-200-DEPLOY-1");
            for (int i = 0; i < 10; i++) {
                assertThat(Http.get(agent.trafficPort(), "/web/x").body()).as("only the new deploy serves").isEqualTo("b2\n");
            }
            int sentAtSwap = load.sent();
            await("load went on after the swap", WITHIN, () -> load.sent() > sentAtSwap + 20);
            load.stop();
            assertThat(load.failed()).as("failed requests across the swap: " + load.firstFailures()).isZero();
        }

        BaragonServiceState state = BARAGON.readValue(get("/baragon/v2/state/web", singularityKey).body(), BaragonServiceState.class);
        assertThat(state.getService().getServiceBasePath()).isEqualTo("/web");
        assertThat(state.getService().getOwners()).contains("web-team@example.com", "singularity");
        assertThat(state.getUpstreams()).extracting(UpstreamInfo::getUpstream).containsExactly("127.0.0.1:" + backends.get(1).port());

        post(new BaragonRequest("web-delete-1", web, List.of(), List.of(), List.of(), Optional.absent(), Optional.of(RequestAction.DELETE)));
        awaitSuccess("web-delete-1");
        assertThat(Http.get(agent.trafficPort(), "/web/x").status()).as("the route is gone the moment DELETE said SUCCESS").isEqualTo(404);
        assertThat(send("GET", manager.api("/services/web"), null).statusCode()).isEqualTo(404);
    }

    @Test
    void hostileRequestsFailNamingTheFieldAndWriteNothing() throws Exception {
        Map<String, UnaryOperator<BaragonRequest>> cases = new LinkedHashMap<>();
        cases.put("loadBalancerService.serviceBasePath", r -> with(r, service("evil", "/evil/../etc", GROUP, Map.of())));
        cases.put("loadBalancerService.serviceBasePath ", r -> with(r, service("evil", "/evil;include /etc/passwd", GROUP, Map.of())));
        cases.put("addUpstreams[0].upstream", r -> new BaragonRequest(r.getLoadBalancerRequestId(), r.getLoadBalancerService(),
                List.of(new UpstreamInfo("127.0.0.1:80; include /etc/passwd", Optional.absent(), Optional.absent())), List.of(), Optional.absent()));
        cases.put("addUpstreams[0].upstream ", r -> new BaragonRequest(r.getLoadBalancerRequestId(), r.getLoadBalancerService(),
                List.of(new UpstreamInfo("evil}host:80", Optional.absent(), Optional.absent())), List.of(), Optional.absent()));
        cases.put("addUpstreams[0].group", r -> new BaragonRequest(r.getLoadBalancerRequestId(), r.getLoadBalancerService(),
                List.of(new UpstreamInfo("127.0.0.1:80", Optional.absent(), Optional.absent(), Optional.absent(), Optional.of("canary"))),
                List.of(), Optional.absent()));
        cases.put("loadBalancerService.loadBalancerGroups[0]", r -> with(r, service("evil", "/evil", "no-such-group", Map.of())));
        cases.put("loadBalancerService.options.nginxExtraConfigs", r -> with(r, service("evil", "/evil", GROUP,
                Map.of("nginxExtraConfigs", List.of("location / { return 200; }")))));
        cases.put("loadBalancerService.options.proxyReadTimeoutMs", r -> with(r, service("evil", "/evil", GROUP,
                Map.of("proxyReadTimeoutMs", "5s; include /etc/passwd"))));
        cases.put("loadBalancerService.serviceId", r -> with(r, service("Evil!", "/evil", GROUP, Map.of())));
        cases.put("loadBalancerService.domains", r -> with(r, new BaragonService("evil", List.of("e@example.com"), "/evil", List.of(),
                Set.of(GROUP), Map.of(), Optional.absent(), Set.of("evil.example.com"))));
        cases.put("noValidate", r -> new BaragonRequest(r.getLoadBalancerRequestId(), r.getLoadBalancerService(), r.getAddUpstreams(),
                List.of(), List.of(), Optional.absent(), Optional.absent(), true, false));
        String catalogBefore = ZK.tree(new ZkLayout("/lb-manager").services()).toString();
        int n = 0;
        for (Map.Entry<String, UnaryOperator<BaragonRequest>> hostile : cases.entrySet()) {
            String id = "evil-" + (++n);
            BaragonRequest request = hostile.getValue().apply(new BaragonRequest(id, service("evil", "/evil", GROUP, Map.of()),
                    List.of(upstream(0)), List.of(), Optional.absent()));
            BaragonResponse answer = post(request);
            String field = hostile.getKey().strip();
            assertThat(answer.getLoadBalancerState()).as(field).isEqualTo(BaragonRequestState.FAILED);
            assertThat(answer.getMessage().or("")).as(field).startsWith(field + ": ");
            assertThat(getRequest(id).getMessage()).as("GET says the same").isEqualTo(answer.getMessage());
        }
        assertThat(ZK.tree(new ZkLayout("/lb-manager").services()).toString()).as("catalog untouched").isEqualTo(catalogBefore);
        assertThat(send("GET", manager.api("/services/evil"), null).statusCode()).isEqualTo(404);
    }

    @Test
    void theSameIdIsIdempotentAndAnotherBodyUnderItIsRefusedAsBaragonDoes() throws Exception {
        BaragonRequest first = new BaragonRequest("idem-1", service("idem", "/idem", GROUP, Map.of()), List.of(upstream(0)), List.of(),
                Optional.absent());
        post(first);
        awaitSuccess("idem-1");
        assertThat(post(first).getLoadBalancerState()).isEqualTo(BaragonRequestState.SUCCESS);
        HttpResponse<String> changed = postRaw(new BaragonRequest("idem-1", service("idem", "/other", GROUP, Map.of()), List.of(), List.of(),
                Optional.absent()), singularityKey);
        assertThat(changed.statusCode()).isEqualTo(409);
        assertThat(changed.body()).contains("is already enqueued with different parameters");
        assertThat(send("DELETE", manager.url("/baragon/v2/request/idem-1"), null).statusCode()).isEqualTo(200);
        assertThat(getRequest("idem-1").getLoadBalancerState()).as("a DELETE of a finished request keeps SUCCESS")
                .isEqualTo(BaragonRequestState.SUCCESS);
    }

    @Test
    void theKeyIsATokenWithItsScopeAndTeam() throws Exception {
        BaragonRequest request = new BaragonRequest("auth-1", service("owned", "/owned", GROUP, Map.of()), List.of(upstream(0)), List.of(),
                Optional.absent());
        assertThat(postRaw(request, null).statusCode()).as("no key").isEqualTo(401);
        assertThat(postRaw(request, "lbm_notatoken_" + "x".repeat(43)).statusCode()).as("unknown key").isEqualTo(401);
        post(request);
        awaitSuccess("auth-1");
        BaragonRequest takeover = new BaragonRequest("auth-2", service("owned", "/owned", GROUP, Map.of()), List.of(), List.of(upstream(0)),
                Optional.absent());
        BaragonResponse refused = BARAGON.readValue(postRaw(takeover, otherTeamKey).body(), BaragonResponse.class);
        assertThat(refused.getLoadBalancerState()).isEqualTo(BaragonRequestState.FAILED);
        assertThat(refused.getMessage().or("")).contains("not owned by team team-other");
        HttpResponse<String> inAnotherParameter = HTTP.send(HttpRequest.newBuilder(URI.create(manager.url("/api/v1/services?token="
                + URLEncoder.encode(singularityKey, StandardCharsets.UTF_8)))).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(inAnotherParameter.statusCode()).as("outside the Baragon paths a token in the URL stays refused").isEqualTo(400);
    }

    private static BaragonService service(String id, String basePath, String group, Map<String, Object> options) {
        return new BaragonService(id, List.of("web-team@example.com"), basePath, Set.of(group), options);
    }

    private static BaragonRequest with(BaragonRequest request, BaragonService service) {
        return new BaragonRequest(request.getLoadBalancerRequestId(), service, request.getAddUpstreams(), request.getRemoveUpstreams(),
                Optional.absent());
    }

    private static UpstreamInfo upstream(int backend) {
        return new UpstreamInfo("127.0.0.1:" + backends.get(backend).port(), Optional.of("task-" + backend), Optional.of("rack1"));
    }

    private static BaragonResponse post(BaragonRequest request) throws Exception {
        HttpResponse<String> answer = postRaw(request, singularityKey);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return BARAGON.readValue(answer.body(), BaragonResponse.class);
    }

    private static HttpResponse<String> postRaw(BaragonRequest request, String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(withKey("/baragon/v2/request", key)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BARAGON.writeValueAsString(request))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path, String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(withKey(path, key))).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static BaragonResponse getRequest(String id) throws Exception {
        HttpResponse<String> answer = get("/baragon/v2/request/" + id, singularityKey);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return BARAGON.readValue(answer.body(), BaragonResponse.class);
    }

    private static String withKey(String path, String key) {
        return manager.url(path) + (key == null ? "" : "?authkey=" + URLEncoder.encode(key, StandardCharsets.UTF_8));
    }

    /** Polls as Singularity does; a FAILED answer ends the test with its message. */
    private static void awaitSuccess(String id) throws Exception {
        await("request " + id + " SUCCESS", WITHIN, () -> {
            BaragonResponse now = getRequest(id);
            assertThat(now.getLoadBalancerState()).as(now.getMessage().orNull()).isNotEqualTo(BaragonRequestState.FAILED);
            return now.getLoadBalancerState() == BaragonRequestState.SUCCESS;
        });
    }

    private static String token(String team, String scope) throws Exception {
        HttpResponse<String> created = send("POST", manager.api("/tokens"),
                "{\"team\":\"" + team + "\",\"scopes\":[\"" + scope + "\"],\"ttl\":\"90d\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return json(created).path("secret").asText();
    }
}
