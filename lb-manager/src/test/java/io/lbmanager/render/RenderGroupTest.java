package io.lbmanager.render;

import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.DiscoveredInstance;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static io.lbmanager.render.Fixtures.GROUP;
import static io.lbmanager.render.Fixtures.renderedGroup;
import static io.lbmanager.render.Fixtures.renderer;
import static io.lbmanager.render.Fixtures.service;
import static io.lbmanager.render.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

class RenderGroupTest {

    private static final Upstream B1 = new Upstream("10.0.0.2", 8080);
    private static final Upstream B2 = new Upstream("10.0.0.1", 8080);

    @Test
    void bundleHasMainFileAndOneUpstreamAndLocationFilePerService() {
        ConfigBundle bundle = renderedGroup(snapshot(
                service("shop", "/shop", Map.of(), B1),
                service("api", "/api/v1", Map.of(), B2)));

        assertThat(bundle.group()).isEqualTo(GROUP);
        assertThat(bundle.files()).containsOnlyKeys("nginx.conf",
                "upstreams/api.conf", "upstreams/shop.conf", "locations/api.conf", "locations/shop.conf");
        assertThat(bundle.sha256()).isEqualTo(ConfigBundle.checksum(bundle.files()));
    }

    @Test
    void sameSnapshotRendersByteIdenticalBundleWhateverTheInsertionOrder() {
        CatalogSnapshot one = snapshot(service("b", "/b", Map.of(), B1, B2), service("a", "/a", Map.of(), B2));
        CatalogSnapshot other = snapshot(service("a", "/a", Map.of(), B2), service("b", "/b", Map.of(), B2, B1));

        ConfigBundle first = renderedGroup(one);
        assertThat(renderedGroup(one)).isEqualTo(first);
        assertThat(renderedGroup(other).files()).isEqualTo(first.files());
        assertThat(renderedGroup(other).sha256()).isEqualTo(first.sha256());
    }

    @Test
    void upstreamServersAreSortedAndCarryPassiveHealthAndKeepalive() {
        String upstream = renderedGroup(snapshot(service("shop", "/shop", Map.of(), B1, B2))).files().get("upstreams/shop.conf");

        assertThat(upstream).contains("upstream lbm_shop {");
        assertThat(upstream.indexOf("10.0.0.1:8080")).isLessThan(upstream.indexOf("10.0.0.2:8080"));
        assertThat(upstream).contains("server 10.0.0.1:8080 max_fails=3 fail_timeout=10s;", "keepalive 32;");
    }

    @Test
    void discoveredInstancesJoinStaticUpstreamsAndDisabledOnesAreLeftOut() {
        CatalogSnapshot snapshot = Fixtures.withDiscovered(snapshot(service("shop", "/shop", Map.of(), B1)), "shop",
                new DiscoveredInstance("shop", "i1", "10.0.0.9", 9000, true),
                new DiscoveredInstance("shop", "i2", "10.0.0.8", 9000, false));

        String upstream = renderedGroup(snapshot).files().get("upstreams/shop.conf");

        assertThat(upstream).contains("10.0.0.2:8080", "10.0.0.9:9000").doesNotContain("10.0.0.8");
    }

    @Test
    void defaultLocationsProxyWithHeadersHttp11AndDefaultTimeouts() {
        String location = renderedGroup(snapshot(service("shop", "/shop", Map.of(), B1))).files().get("locations/shop.conf");

        assertThat(location).contains(
                "location /shop/ {",
                "location = /shop {",
                "proxy_pass http://lbm_shop;",
                "proxy_http_version 1.1;",
                "proxy_set_header Host $host;",
                "proxy_set_header X-Real-IP $remote_addr;",
                "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
                "proxy_set_header X-Forwarded-Proto $scheme;",
                "proxy_set_header Connection \"\";",
                "proxy_connect_timeout 5000ms;",
                "proxy_read_timeout 60000ms;",
                "proxy_send_timeout 60000ms;",
                "client_max_body_size 10m;");
    }

    @Test
    void everyOptionChangesWhatIsRendered() {
        Map<String, Object> options = Map.of(
                "proxyConnectTimeoutMs", 1500,
                "proxyReadTimeoutMs", 120000L,
                "proxySendTimeoutMs", 30000,
                "clientMaxBodySizeMb", 50,
                "keepaliveConnections", 8,
                "maxFails", 5,
                "failTimeoutSeconds", 30,
                "loadBalancing", "least_conn",
                "stripBasePath", true,
                "websocket", true);
        ConfigBundle bundle = renderedGroup(snapshot(service("ws", "/ws", options, B1)));

        assertThat(bundle.files().get("upstreams/ws.conf")).contains(
                "least_conn;", "server 10.0.0.2:8080 max_fails=5 fail_timeout=30s;", "keepalive 8;");
        assertThat(bundle.files().get("locations/ws.conf")).contains(
                "proxy_pass http://lbm_ws/;",
                "proxy_set_header Upgrade $http_upgrade;",
                "proxy_set_header Connection $lbm_connection_upgrade;",
                "proxy_connect_timeout 1500ms;",
                "proxy_read_timeout 120000ms;",
                "proxy_send_timeout 30000ms;",
                "client_max_body_size 50m;");
    }

    @Test
    void websocketWithoutExplicitReadTimeoutGetsALongOne() {
        String location = renderedGroup(snapshot(service("ws", "/ws", Map.of("websocket", true), B1))).files().get("locations/ws.conf");

        assertThat(location).contains("proxy_read_timeout 3600000ms;");
    }

    @Test
    void ipHashAndZeroKeepaliveRenderAsNginxExpects() {
        String upstream = renderedGroup(snapshot(service("s", "/s",
                Map.of("loadBalancing", "ip_hash", "keepaliveConnections", 0), B1))).files().get("upstreams/s.conf");

        assertThat(upstream).contains("ip_hash;").doesNotContain("keepalive", "least_conn");
    }

    @Test
    void serviceWithoutUpstreamsGetsNoUpstreamBlockAndA503Location() {
        ConfigBundle bundle = renderedGroup(snapshot(service("empty", "/empty", Map.of())));

        assertThat(bundle.files().get("upstreams/empty.conf")).doesNotContain("upstream lbm_empty", "server ");
        assertThat(bundle.files().get("locations/empty.conf"))
                .contains("return 503", "has no registered upstreams")
                .doesNotContain("proxy_pass");
    }

    @Test
    void mainFileIncludesPiecesAndAgentFileAndSetsNoPidDaemonOrErrorLog() {
        String main = renderedGroup(snapshot(service("shop", "/shop", Map.of(), B1))).files().get("nginx.conf");

        assertThat(main).contains("events {", "http {", "include upstreams/*.conf;", "include lbm-agent.conf;",
                "include locations/*.conf;", "access_log off;", "client_body_temp_path tmp/body;", "return 404");
        assertThat(main).doesNotContainPattern("(?m)^\\s*(pid|daemon|error_log|user)\\s");
    }

    @Test
    void oldWorkersDrainForABoundedTimeAfterAReload() {
        String main = renderedGroup(snapshot(service("shop", "/shop", Map.of(), B1))).files().get("nginx.conf");

        assertThat(main).containsPattern("(?m)^worker_shutdown_timeout 30s;$");
    }

    @Test
    void rootBasePathReplacesTheDefault404Location() {
        ConfigBundle bundle = renderedGroup(snapshot(service("site", "/", Map.of(), B1)));

        assertThat(bundle.files().get("nginx.conf")).doesNotContain("return 404");
        assertThat(bundle.files().get("locations/site.conf")).contains("location / {").doesNotContain("location =");
    }

    @Test
    void excludedServicesAreLeftOutOfTheBundle() {
        CatalogSnapshot snapshot = snapshot(service("a", "/a", Map.of(), B1), service("b", "/b", Map.of(), B1));

        ConfigBundle bundle = Fixtures.rendered(renderer().renderGroup(snapshot, GROUP, Set.of("b")));

        assertThat(bundle.files()).containsOnlyKeys("nginx.conf", "upstreams/a.conf", "locations/a.conf");
    }

    @Test
    void servicesOfOtherGroupsAreNotRendered() {
        ConfigBundle bundle = Fixtures.rendered(renderer().renderGroup(snapshot(service("a", "/a", Map.of(), B1)), "other"));

        assertThat(bundle.files()).containsOnlyKeys("nginx.conf");
    }

    @Test
    void unsafeBasePathIsRejectedNamingServiceAndField() {
        RenderOutcome outcome = renderer().renderGroup(snapshot(service("evil", "/x { return 200; }", Map.of(), B1)), GROUP);

        assertThat(outcome).isInstanceOfSatisfying(RenderOutcome.InputRejected.class, rejected -> {
            assertThat(rejected.serviceId()).isEqualTo("evil");
            assertThat(rejected.field()).isEqualTo("basePath");
        });
    }

    @Test
    void unsafeUpstreamHostIsRejected() {
        RenderOutcome outcome = renderer().renderGroup(
                snapshot(service("evil", "/e", Map.of(), new Upstream("10.0.0.1;\ninclude /etc/passwd", 80))), GROUP);

        assertThat(outcome).isInstanceOfSatisfying(RenderOutcome.InputRejected.class,
                rejected -> assertThat(rejected.field()).isEqualTo("upstreams[0].host"));
    }

    @Test
    void optionOfTheWrongTypeIsRejectedNamingTheOption() {
        RenderOutcome outcome = renderer().renderGroup(
                snapshot(service("s", "/s", Map.of("maxFails", "3; include x"), B1)), GROUP);

        assertThat(outcome).isInstanceOfSatisfying(RenderOutcome.InputRejected.class, rejected -> {
            assertThat(rejected.serviceId()).isEqualTo("s");
            assertThat(rejected.field()).isEqualTo("options.maxFails");
        });
    }

    @Test
    void missingVariableFailsNamingTemplateLineAndService() {
        BundleRenderer renderer = new BundleRenderer(Fixtures.templates().withOverrides(Map.of(
                TemplateSet.LOCATION, "# first line\nlocation ${service.noSuchField} {}\n")));

        RenderOutcome outcome = renderer.renderGroup(snapshot(service("shop", "/shop", Map.of(), B1)), GROUP);

        assertThat(outcome).isInstanceOfSatisfying(RenderOutcome.TemplateFailed.class, failed -> {
            assertThat(failed.template()).isEqualTo(TemplateSet.LOCATION);
            assertThat(failed.line()).isEqualTo(2);
            assertThat(failed.serviceId()).isEqualTo("shop");
            assertThat(failed.message()).contains("noSuchField");
        });
    }

    @Test
    void missingVariableInMainTemplateNamesNoService() {
        BundleRenderer renderer = new BundleRenderer(Fixtures.templates().withOverrides(Map.of(
                TemplateSet.MAIN, "events {}\n\n\nhttp { ${workers} }\n")));

        RenderOutcome outcome = renderer.renderGroup(snapshot(service("shop", "/shop", Map.of(), B1)), GROUP);

        assertThat(outcome).isEqualTo(new RenderOutcome.TemplateFailed(TemplateSet.MAIN, 4, null,
                ((RenderOutcome.TemplateFailed) outcome).message()));
        assertThat(((RenderOutcome.TemplateFailed) outcome).message()).contains("workers");
    }

    @Test
    void templateSyntaxErrorFailsWithLine() {
        BundleRenderer renderer = new BundleRenderer(Fixtures.templates().withOverrides(Map.of(
                TemplateSet.UPSTREAM, "# ok\n<#if service.hasUpstreams>\nunclosed\n")));

        RenderOutcome outcome = renderer.renderGroup(snapshot(service("shop", "/shop", Map.of(), B1)), GROUP);

        assertThat(outcome).isInstanceOfSatisfying(RenderOutcome.TemplateFailed.class, failed -> {
            assertThat(failed.template()).isEqualTo(TemplateSet.UPSTREAM);
            assertThat(failed.line()).isNotNull();
            assertThat(failed.serviceId()).isEqualTo("shop");
        });
    }

    @Test
    void templatesCannotInstantiateJavaClasses() {
        BundleRenderer renderer = new BundleRenderer(Fixtures.templates().withOverrides(Map.of(
                TemplateSet.MAIN, "<#assign ex = \"freemarker.template.utility.Execute\"?new()>${ex(\"id\")}\n")));

        RenderOutcome outcome = renderer.renderGroup(snapshot(), GROUP);

        assertThat(outcome).isInstanceOfSatisfying(RenderOutcome.TemplateFailed.class,
                failed -> assertThat(failed.message()).contains("not allowed"));
    }

    @Test
    void operatorTemplatesCanImportTheirOwnMacros() {
        BundleRenderer renderer = new BundleRenderer(Fixtures.templates().withOverrides(Map.of(
                "macros.ftl", "<#macro banner>#banner for ${group}</#macro>",
                TemplateSet.MAIN, "<#import \"macros.ftl\" as m><@m.banner/>\nevents {}\nhttp {}\n")));

        ConfigBundle bundle = Fixtures.rendered(renderer.renderGroup(snapshot(), GROUP));

        assertThat(bundle.files().get("nginx.conf")).startsWith("#banner for edge");
    }
}
