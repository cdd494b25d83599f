package io.lbmanager.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI description a manager serves and the API it serves agree: the same routes as
 * Jersey's model of the resources, every operation naming the scope it needs, and every route of
 * the description answered by a running manager (real ZooKeeper, real HTTP) rather than 404/405.
 * A route the resources serve but the description misses fails the first test; one the
 * description names but the manager does not serve fails the last.
 */
class OpenApiDescribesEveryEndpointTest {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @RegisterExtension
    static final ManagerExtension APP = new ManagerExtension(ZK, zk -> {
        io.lbmanager.LbManagerConfiguration config = ManagerUnderTest.config(zk, "edge");
        config.baragon.enabled = true; // its routes are described too
        return config;
    });

    @Test
    void theDescriptionIsServedWithoutATokenAndListsExactlyTheRoutesTheResourcesServe() throws Exception {
        ManagerExtension.Reply reply = APP.get("/api/v1/openapi.json");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().path("openapi").asText()).startsWith("3.");
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(reply.text());
        assertThat(parsed.getMessages()).as("what an OpenAPI 3 parser finds wrong in it").isEmpty();
        assertThat(parsed.getOpenAPI().getPaths().get("/api/v1/services/{id}").getPut().getRequestBody().getContent()
                .get("application/json").getSchema().get$ref()).endsWith("/ServiceRequest");
        assertThat(described(reply.body())).containsExactlyInAnyOrderElementsOf(OpenApiDocument.routes());
        assertThat(OpenApiDocument.routes()).as("routes found").hasSizeGreaterThan(40)
                .contains(new OpenApiDocument.Route("PUT", "/api/v1/services/{id}"));
    }

    @Test
    void everyOperationNamesTheScopeItNeeds() throws Exception {
        JsonNode paths = APP.get("/api/v1/openapi.json").body().path("paths");
        List<String> without = new ArrayList<>();
        paths.fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(operation -> {
            String scope = operation.getValue().path(OpenApiDocument.SCOPE_EXTENSION).asText("");
            if (!scope.matches("public|(read|service-owner|operator|admin)( or (read|service-owner|operator|admin))*")) {
                without.add(operation.getKey().toUpperCase() + " " + path.getKey() + ": '" + scope + "'");
            }
        }));
        assertThat(without).isEmpty();
        assertThat(paths.path("/api/v1/tokens").path("post").path(OpenApiDocument.SCOPE_EXTENSION).asText()).isEqualTo("admin");
        assertThat(paths.path("/api/v1/openapi.json").path("get").path(OpenApiDocument.SCOPE_EXTENSION).asText()).isEqualTo("public");
    }

    @Test
    void everyDescribedRouteIsAnsweredByTheManager() throws Exception {
        Set<OpenApiDocument.Route> onlyWithAFleet = OpenApiDocument.routesOf(FleetResource.class); // this manager has none
        List<String> unanswered = new ArrayList<>();
        for (OpenApiDocument.Route route : described(APP.get("/api/v1/openapi.json").body())) {
            if (onlyWithAFleet.contains(route) || route.path().startsWith("/{")) {
                continue;
            }
            String path = route.path().replaceAll("\\{[^}]+}", "x");
            int status = statusWithoutToken(route.method(), path);
            if (status == 404 || status == 405) {
                unanswered.add(route + " -> " + status);
            }
        }
        assertThat(unanswered).isEmpty();
    }

    /** Without a token: 401 from a matched route, and nothing is changed. */
    private static int statusWithoutToken(String method, String path) throws Exception {
        String body = method.equals("GET") || method.equals("DELETE") ? null : "{}";
        try {
            return APP.sendAs(null, method, path, body).status();
        } catch (java.io.IOException closedBeforeReuse) {
            // a refused request's unread body makes Jetty close the connection, which the client may reuse once too often
            return APP.sendAs(null, method, path, body).status();
        }
    }

    private static Set<OpenApiDocument.Route> described(JsonNode document) {
        Set<OpenApiDocument.Route> routes = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fieldNames().forEachRemaining(method -> {
                if (Set.of("get", "put", "post", "delete", "patch", "head", "options").contains(method)) {
                    routes.add(new OpenApiDocument.Route(method.toUpperCase(), path.getKey()));
                }
            });
        }
        return routes;
    }
}
