package io.lbmanager.validate;

import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.render.BundleRenderer;
import io.lbmanager.render.Fixtures;
import io.lbmanager.render.TemplateSet;
import io.lbmanager.snapshot.CatalogSnapshot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.lbmanager.render.Fixtures.GROUP;
import static io.lbmanager.render.Fixtures.rendered;
import static io.lbmanager.render.Fixtures.renderedGroup;
import static io.lbmanager.render.Fixtures.service;
import static io.lbmanager.render.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

/** nginx -t of only what changed since a bundle that passed it, with the real nginx. */
class ValidationScopeTest {

    private static final Upstream BACKEND = new Upstream("127.0.0.1", 9001);
    private static final NginxValidator NGINX = new NginxValidator(Fixtures.NGINX, Duration.ofSeconds(20));
    private static CatalogSnapshot catalog;
    private static ConfigBundle validated;

    @BeforeAll
    static void aGroupThatPassedNginxTest() {
        List<ServiceRecord> services = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            services.add(service("svc" + i, "/svc" + i, Map.of(), BACKEND));
        }
        catalog = snapshot(services.toArray(ServiceRecord[]::new));
        validated = renderedGroup(catalog);
        assertThat(NGINX.validate(validated)).isEqualTo(new ValidationResult.Valid());
    }

    @Test
    void invalidChangedServiceIsRejectedWithTheFileLineAndServiceOfAFullCheck() {
        ConfigBundle proposed = renderedGroup(catalog.withService(service("ghost", "/ghost", Map.of(), new Upstream("nonexistent.invalid", 80))));

        ValidationScope scope = ValidationScope.changedSince(proposed, validated);
        ValidationResult partial = NGINX.validate(scope.sandbox());

        assertThat(scope.complete()).isFalse();
        assertThat(scope.changedServices()).containsExactly("ghost");
        assertThat(partial).isInstanceOfSatisfying(ValidationResult.Invalid.class, invalid -> {
            ConfigError error = invalid.errors().get(0);
            assertThat(error.file()).isEqualTo("upstreams/ghost.conf");
            assertThat(error.line()).isPositive();
            assertThat(error.serviceId()).isEqualTo("ghost");
            assertThat(error.message()).contains("host not found", "nonexistent.invalid");
        });
        assertThat(partial).isEqualTo(NGINX.validate(proposed));
    }

    @Test
    void directiveNginxRefusesInOneChangedLocationIsReportedAsAFullCheckReportsIt() {
        String location = Fixtures.templates().templates().get(TemplateSet.LOCATION)
                .replace("proxy_http_version 1.1;", "proxy_http_version 1.1;\n<#if service.id == \"svc7\">    proxy_bogus on;\n</#if>");
        BundleRenderer renderer = new BundleRenderer(Fixtures.templates().withOverrides(Map.of(TemplateSet.LOCATION, location)));
        ConfigBundle proposed = rendered(renderer.renderGroup(catalog, GROUP));

        ValidationScope scope = ValidationScope.changedSince(proposed, validated);
        ValidationResult partial = NGINX.validate(scope.sandbox());

        assertThat(scope.changedServices()).containsExactly("svc7");
        assertThat(partial).isEqualTo(NGINX.validate(proposed));
        assertThat(partial).isInstanceOfSatisfying(ValidationResult.Invalid.class, invalid -> assertThat(invalid.errors())
                .extracting(ConfigError::file, ConfigError::serviceId, ConfigError::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("locations/svc7.conf", "svc7", "unknown directive \"proxy_bogus\"")));
    }

    @Test
    void onlyNginxConfAndTheChangedServicesFilesGoIntoTheSandbox() {
        ConfigBundle proposed = renderedGroup(catalog
                .withService(service("svc3", "/svc3", Map.of(), BACKEND, new Upstream("127.0.0.1", 9002)))
                .withService(service("new", "/new", Map.of())));

        ValidationScope scope = ValidationScope.changedSince(proposed, validated);

        assertThat(scope.files()).containsOnlyKeys("nginx.conf", "upstreams/svc3.conf", "locations/svc3.conf",
                "upstreams/new.conf", "locations/new.conf");
        assertThat(scope.differingFiles()).containsExactlyInAnyOrder("upstreams/svc3.conf", "upstreams/new.conf", "locations/new.conf");
        assertThat(scope.bundleFiles()).isEqualTo(proposed.files().size());
        assertThat(NGINX.validate(scope.sandbox())).isEqualTo(new ValidationResult.Valid());
    }

    @Test
    void aServiceWhoseLocationAloneChangedIsCheckedWithItsUpstream() {
        ConfigBundle proposed = renderedGroup(catalog.withService(service("svc5", "/svc5", Map.of("proxyReadTimeoutMs", 1234), BACKEND)));
        assertThat(proposed.files().get("upstreams/svc5.conf")).isEqualTo(validated.files().get("upstreams/svc5.conf"));

        ValidationScope scope = ValidationScope.changedSince(proposed, validated);

        assertThat(scope.files()).containsKeys("upstreams/svc5.conf", "locations/svc5.conf");
        assertThat(NGINX.validate(scope.sandbox())).as("proxy_pass to lbm_svc5 needs its upstream block")
                .isEqualTo(new ValidationResult.Valid());
    }

    @Test
    void changedNginxConfMeansEveryFileIsChecked() {
        ConfigBundle proposed = renderedGroup(catalog.withService(service("site", "/", Map.of(), BACKEND)));
        assertThat(proposed.files().get("nginx.conf")).isNotEqualTo(validated.files().get("nginx.conf"));

        ValidationScope scope = ValidationScope.changedSince(proposed, validated);

        assertThat(scope.complete()).isTrue();
        assertThat(scope.files()).isEqualTo(proposed.files());
        assertThat(scope.reason()).contains("nginx.conf");
    }

    @Test
    void removedServicesLeaveNothingToCheckButNginxConf() {
        ConfigBundle proposed = renderedGroup(catalog.withoutService("svc1"));

        ValidationScope scope = ValidationScope.changedSince(proposed, validated);

        assertThat(scope.files()).containsOnlyKeys("nginx.conf");
        assertThat(scope.changedServices()).isEmpty();
        assertThat(scope.differingFiles()).containsExactlyInAnyOrder("upstreams/svc1.conf", "locations/svc1.conf");
    }

    /** Why template changes are checked in full: a piece may clash with one the partial check leaves out. */
    @Test
    void clashWithAnUnchangedPieceIsFoundOnlyByAFullCheck() {
        String upstream = Fixtures.templates().templates().get(TemplateSet.UPSTREAM)
                + "<#if service.id == \"svc2\">\nupstream lbm_svc9 { server 127.0.0.1:1; }\n</#if>\n";
        BundleRenderer renderer = new BundleRenderer(Fixtures.templates().withOverrides(Map.of(TemplateSet.UPSTREAM, upstream)));
        ConfigBundle proposed = rendered(renderer.renderGroup(catalog, GROUP));

        assertThat(NGINX.validate(ValidationScope.changedSince(proposed, validated).sandbox())).isEqualTo(new ValidationResult.Valid());
        assertThat(NGINX.validate(ValidationScope.everything(proposed, "template change").sandbox()))
                .isInstanceOfSatisfying(ValidationResult.Invalid.class, invalid ->
                        assertThat(invalid.errors().get(0).message()).contains("duplicate upstream \"lbm_svc9\""));
    }
}
