package io.lbmanager.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.TestTokens;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.lbmanager.api.ApiFixtures.CATALOG;
import static io.lbmanager.api.ApiFixtures.ROOT;
import static io.lbmanager.api.ApiFixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every input rule, broken once per case through real HTTP: 422 naming the field, and ZooKeeper
 * byte-for-byte unchanged. A valid service "payments" already exists, so updates are refused too.
 */
class ServiceValidationApiTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension API = ApiFixtures.catalogApi(ZK);
    private static final ObjectMapper JSON = new ObjectMapper();

    static final List<String> INJECTIONS = List.of(
            "x;", "x{", "x}", "x\ny", "x\"y", "x'y", "$host", "include /etc/nginx/evil.conf",
            "load_module /tmp/evil.so", "content_by_lua_block { os.execute('id') }", "ssl_engine pkcs11",
            "x; include /etc/passwd;", "a b", "x#comment", "x\\y", "x\u0000y");

    private SortedMap<String, String> before;

    @BeforeAll
    static void catalogWithOneService() throws Exception {
        ZK.deleteAll(CATALOG);
        API.send("PUT", "/api/v1/groups/edge", null, null);
        API.send("PUT", "/api/v1/groups/internal", null, null);
        assertThat(API.putJson("/api/v1/services/payments", service("/pay")).status()).isEqualTo(201);
    }

    @BeforeEach
    void rememberTheTree() throws Exception {
        before = ZK.tree(CATALOG);
    }

    static Map<String, Object> validBody() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("owners", new ArrayList<>(List.of("team-payments", "alice@example.com")));
        body.put("basePath", "/pay");
        body.put("groups", new ArrayList<>(List.of("edge", "internal")));
        body.put("options", new LinkedHashMap<>(Map.of("proxyReadTimeoutMs", 1000)));
        body.put("discoveryName", "payments");
        return body;
    }

    record Case(String name, String id, Consumer<Map<String, Object>> change, String field) {
        @Override
        public String toString() {
            return name;
        }
    }

    @SuppressWarnings("unchecked")
    private static Consumer<Map<String, Object>> option(String key, Object value) {
        return body -> ((Map<String, Object>) body.get("options")).put(key, value);
    }

    private static Consumer<Map<String, Object>> set(String key, Object value) {
        return body -> body.put(key, value);
    }

    private static Consumer<Map<String, Object>> entry(String key, int index, Object value) {
        return body -> {
            @SuppressWarnings("unchecked") List<Object> list = (List<Object>) body.get(key);
            list.set(index, value);
        };
    }

    private static List<String> names(int count) {
        return IntStream.range(0, count).mapToObj(i -> "n" + i).toList();
    }

    static Stream<Case> brokenRules() {
        List<Case> cases = new ArrayList<>(List.of(
                new Case("id with upper case", "Payments", b -> { }, "id"),
                new Case("id starting with -", "-payments", b -> { }, "id"),
                new Case("id of 64 characters", "a".repeat(64), b -> { }, "id"),
                new Case("id with a dot", "pay.ments", b -> { }, "id"),
                new Case("discoveryName starting with .", "payments", set("discoveryName", ".hidden"), "discoveryName"),
                new Case("discoveryName of 101 characters", "payments", set("discoveryName", "d".repeat(101)), "discoveryName"),
                new Case("discoveryName with /", "payments", set("discoveryName", "a/b"), "discoveryName"),
                new Case("owners missing", "payments", b -> b.remove("owners"), "owners"),
                new Case("owners empty", "payments", set("owners", List.of()), "owners"),
                new Case("21 owners", "payments", set("owners", names(21)), "owners"),
                new Case("owner empty", "payments", entry("owners", 1, ""), "owners[1]"),
                new Case("owner null", "payments", entry("owners", 0, null), "owners[0]"),
                new Case("owner of 101 characters", "payments", entry("owners", 1, "o".repeat(101)), "owners[1]"),
                new Case("owner e-mail with two @", "payments", entry("owners", 1, "a@b@example.com"), "owners[1]"),
                new Case("owner listed twice", "payments", set("owners", List.of("team-a", "team-a")), "owners[1]"),
                new Case("basePath missing", "payments", b -> b.remove("basePath"), "basePath"),
                new Case("basePath without leading /", "payments", set("basePath", "pay"), "basePath"),
                new Case("basePath with //", "payments", set("basePath", "/a//b"), "basePath"),
                new Case("basePath with . segment", "payments", set("basePath", "/a/./b"), "basePath"),
                new Case("basePath with .. segment", "payments", set("basePath", "/a/../b"), "basePath"),
                new Case("basePath that is only ..", "payments", set("basePath", "/.."), "basePath"),
                new Case("basePath with trailing /", "payments", set("basePath", "/a/"), "basePath"),
                new Case("basePath of 201 characters", "payments", set("basePath", "/" + "p".repeat(200)), "basePath"),
                new Case("basePath with percent-encoding", "payments", set("basePath", "/a%2e%2e"), "basePath"),
                new Case("basePath with query", "payments", set("basePath", "/a?x=1"), "basePath"),
                new Case("basePath with regex characters", "payments", set("basePath", "/a(.*)"), "basePath"),
                new Case("groups missing", "payments", b -> b.remove("groups"), "groups"),
                new Case("groups empty", "payments", set("groups", List.of()), "groups"),
                new Case("21 groups", "payments", set("groups", names(21)), "groups"),
                new Case("group listed twice", "payments", set("groups", List.of("edge", "edge")), "groups[1]"),
                new Case("group with upper case", "payments", entry("groups", 0, "Edge"), "groups[0]"),
                new Case("group that does not exist", "payments", entry("groups", 1, "ghost"), "groups[1]"),
                new Case("unknown option", "payments", option("proxyBuffering", true), "options.proxyBuffering"),
                new Case("option null", "payments", option("maxFails", null), "options.maxFails"),
                new Case("int option as string", "payments", option("proxyReadTimeoutMs", "30000"), "options.proxyReadTimeoutMs"),
                new Case("int option as float", "payments", option("proxyReadTimeoutMs", 30000.5), "options.proxyReadTimeoutMs"),
                new Case("int option as whole float", "payments", option("maxFails", 3.0), "options.maxFails"),
                new Case("int option as boolean", "payments", option("maxFails", true), "options.maxFails"),
                new Case("int option as object", "payments", option("maxFails", Map.of("v", 1)), "options.maxFails"),
                new Case("int option beyond long", "payments", option("maxFails", new java.math.BigInteger("99999999999999999999")), "options.maxFails"),
                new Case("loadBalancing not in the list", "payments", option("loadBalancing", "random"), "options.loadBalancing"),
                new Case("loadBalancing with other case", "payments", option("loadBalancing", "ROUND_ROBIN"), "options.loadBalancing"),
                new Case("stripBasePath as string", "payments", option("stripBasePath", "true"), "options.stripBasePath"),
                new Case("websocket as number", "payments", option("websocket", 1), "options.websocket")));
        Object[][] ranges = {
                {"proxyConnectTimeoutMs", 1, 600_000}, {"proxyReadTimeoutMs", 1, 3_600_000}, {"proxySendTimeoutMs", 1, 3_600_000},
                {"clientMaxBodySizeMb", 0, 10_240}, {"keepaliveConnections", 0, 1024}, {"maxFails", 0, 100},
                {"failTimeoutSeconds", 1, 3600}};
        for (Object[] range : ranges) {
            String key = (String) range[0];
            cases.add(new Case(key + " below its range", "payments", option(key, (int) range[1] - 1), "options." + key));
            cases.add(new Case(key + " above its range", "payments", option(key, (int) range[2] + 1), "options." + key));
        }
        for (String injection : INJECTIONS) {
            cases.add(new Case("id " + injection, "pay" + injection, b -> { }, "id"));
            cases.add(new Case("owner " + injection, "payments", entry("owners", 0, "team" + injection), "owners[0]"));
            cases.add(new Case("owner e-mail " + injection, "payments", entry("owners", 0, "a" + injection + "@example.com"), "owners[0]"));
            cases.add(new Case("basePath " + injection, "payments", set("basePath", "/pay/" + injection), "basePath"));
            cases.add(new Case("group " + injection, "payments", entry("groups", 0, "edge" + injection), "groups[0]"));
            cases.add(new Case("discoveryName " + injection, "payments", set("discoveryName", "pay" + injection), "discoveryName"));
            cases.add(new Case("loadBalancing " + injection, "payments", option("loadBalancing", "round_robin" + injection), "options.loadBalancing"));
            cases.add(new Case("int option " + injection, "payments", option("proxyReadTimeoutMs", "30" + injection), "options.proxyReadTimeoutMs"));
            cases.add(new Case("flag option " + injection, "payments", option("websocket", "true" + injection), "options.websocket"));
            cases.add(new Case("option key " + injection, "payments", option(injection, "on"), "options." + injection));
        }
        for (String directive : List.of("include", "load_module", "content_by_lua_block", "access_by_lua", "ssl_engine", "proxy_pass")) {
            cases.add(new Case("option named " + directive, "payments", option(directive, "/etc/passwd"), "options." + directive));
        }
        return cases.stream();
    }

    /**
     * A value in the URL path is refused either by our validation (422 naming the field) or, for an
     * encoded /, \\, control character or .. segment, already by Jetty's URI checks (400) before any resource runs.
     */
    private void assertRefusedInThePath(ManagerExtension.Reply reply, String field) throws Exception {
        if (reply.status() != 400 || reply.body() != null) {
            assertThat(reply.status()).as("%s", reply.body()).isEqualTo(422);
            assertThat(reply.body().get("field").asText()).isEqualTo(field);
        }
        assertThat(ZK.tree(CATALOG)).as("ZooKeeper unchanged").isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenRules")
    void brokenRuleIs422NamingTheFieldAndWritesNothing(Case broken) throws Exception {
        Map<String, Object> body = validBody();
        broken.change().accept(body);
        String path = "/api/v1/services/" + URLEncoder.encode(broken.id(), StandardCharsets.UTF_8).replace("+", "%20");

        var reply = API.putJson(path, JSON.writeValueAsString(body));

        if (broken.field().equals("id")) {
            assertRefusedInThePath(reply, "id");
            return;
        }
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(422);
        assertThat(reply.body().get("code").asInt()).isEqualTo(422);
        assertThat(reply.body().get("field").asText()).isEqualTo(broken.field());
        assertThat(ZK.tree(CATALOG)).as("ZooKeeper unchanged").isEqualTo(before);
    }

    static Stream<Arguments> brokenUpstreams() {
        List<Arguments> cases = new ArrayList<>(Arrays.asList(
                Arguments.of("{\"port\": 80}", "host"),
                Arguments.of("{\"host\": \"10.0.0.1\"}", "port"),
                Arguments.of("{\"host\": \"\", \"port\": 80}", "host"),
                Arguments.of("{\"host\": \"10.0.0.1\", \"port\": 0}", "port"),
                Arguments.of("{\"host\": \"10.0.0.1\", \"port\": 65536}", "port"),
                Arguments.of("{\"host\": \"10.0.0.1\", \"port\": -1}", "port"),
                Arguments.of("{\"host\": \"256.0.0.1\", \"port\": 80}", "host"),
                Arguments.of("{\"host\": \"10.0.0\", \"port\": 80}", "host"),
                Arguments.of("{\"host\": \"010.0.0.1\", \"port\": 80}", "host"),
                Arguments.of("{\"host\": \"2001:db8:::1\", \"port\": 80}", "host"),
                Arguments.of("{\"host\": \"[2001:db8::1]\", \"port\": 80}", "host"),
                Arguments.of("{\"host\": \"fe80::1%eth0\", \"port\": 80}", "host"),
                Arguments.of("{\"host\": \"-bad.example.com\", \"port\": 80}", "host"),
                Arguments.of("{\"host\": \"bad-.example.com\", \"port\": 80}", "host"),
                Arguments.of("{\"host\": \"a..example.com\", \"port\": 80}", "host"),
                Arguments.of("{\"host\": \"under_score.example.com\", \"port\": 80}", "host"),
                Arguments.of("{\"host\": \"" + "l".repeat(64) + ".example.com\", \"port\": 80}", "host"),
                Arguments.of("{\"host\": \"" + ("a".repeat(63) + ".").repeat(4) + "com\", \"port\": 80}", "host"),
                Arguments.of("{\"host\": \"example.com:80\", \"port\": 80}", "host")));
        for (String injection : INJECTIONS) {
            cases.add(Arguments.of("{\"host\": " + quote("backend" + injection) + ", \"port\": 80}", "host"));
        }
        return cases.stream();
    }

    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenUpstreams")
    void brokenUpstreamIs422NamingTheFieldAndWritesNothing(String body, String field) throws Exception {
        var reply = API.postJson("/api/v1/services/payments/upstreams", body);

        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(422);
        assertThat(reply.body().get("field").asText()).isEqualTo(field);
        assertThat(ZK.tree(CATALOG)).as("ZooKeeper unchanged").isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenUpstreamAddresses")
    void brokenUpstreamAddressInTheUrlIs422(String hostPort) throws Exception {
        var reply = API.delete("/api/v1/services/payments/upstreams/" + URLEncoder.encode(hostPort, StandardCharsets.UTF_8).replace("+", "%20"));

        assertRefusedInThePath(reply, "upstream");
    }

    static Stream<String> brokenUpstreamAddresses() {
        List<String> addresses = new ArrayList<>(List.of("10.0.0.1", "10.0.0.1:", "10.0.0.1:http", "10.0.0.1:70000",
                "2001:db8::1:80", "[10.0.0.1]:80", "[2001:db8::1]", ":80"));
        INJECTIONS.forEach(injection -> addresses.add("backend" + injection + ":80"));
        return addresses.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("actorInjections")
    void actorHeaderWithInjectionIsIgnoredForTheTokensIdentity(String actor) throws Exception {
        var reply = API.putJson("/api/v1/services/payments", JSON.writeValueAsString(validBody()), "X-LBM-User", actor);

        assertThat(reply.status()).isIn(200, 201);
        assertThat(reply.body().get("updatedBy").asText()).isEqualTo(TestTokens.ADMIN_ACTOR);
        assertThat(ZK.text(new io.lbmanager.zk.ZkLayout(ROOT).service("payments"))).doesNotContain(actor);
    }

    static Stream<String> actorInjections() {
        // HTTP headers cannot carry a newline or NUL, so those are left out here.
        return INJECTIONS.stream().filter(i -> !i.contains("\n") && !i.contains("\u0000")).map(i -> "alice" + i);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badGroupNames")
    void badGroupNameIs422AndWritesNothing(String name) throws Exception {
        var reply = API.send("PUT", "/api/v1/groups/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"), null, null);

        assertRefusedInThePath(reply, "name");
    }

    static Stream<String> badGroupNames() {
        List<String> names = new ArrayList<>(List.of("Edge", "-edge", "e".repeat(64), "edge.x", ".."));
        INJECTIONS.forEach(injection -> names.add("edge" + injection));
        Collections.shuffle(names, new java.util.Random(1));
        return names.stream();
    }
}
