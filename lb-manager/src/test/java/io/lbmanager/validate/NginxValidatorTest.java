package io.lbmanager.validate;

import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.render.BundleRenderer;
import io.lbmanager.render.Fixtures;
import io.lbmanager.render.TemplateSet;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.testsupport.NginxWrappers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.lbmanager.render.Fixtures.GROUP;
import static io.lbmanager.render.Fixtures.rendered;
import static io.lbmanager.render.Fixtures.renderedGroup;
import static io.lbmanager.render.Fixtures.service;
import static io.lbmanager.render.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

class NginxValidatorTest {

    private static final Upstream BACKEND = new Upstream("127.0.0.1", 9001);
    private final NginxValidator validator = new NginxValidator(Fixtures.NGINX, Duration.ofSeconds(20));

    @BeforeAll
    static void nginxIsInstalled() {
        assertThat(Fixtures.nginxInstalled()).as("nginx binary at " + Fixtures.NGINX).isTrue();
    }

    @Test
    void bundleUsingEveryOptionPassesRealNginxTest() {
        CatalogSnapshot snapshot = snapshot(
                service("all-options", "/all", Map.of(
                        "proxyConnectTimeoutMs", 1500, "proxyReadTimeoutMs", 120000, "proxySendTimeoutMs", 30000,
                        "clientMaxBodySizeMb", 50, "keepaliveConnections", 8, "maxFails", 5, "failTimeoutSeconds", 30,
                        "loadBalancing", "least_conn", "stripBasePath", true, "websocket", true), BACKEND),
                service("hashed", "/hashed/deep/path/", Map.of("loadBalancing", "ip_hash", "keepaliveConnections", 0), BACKEND),
                service("rr", "/rr", Map.of("loadBalancing", "round_robin", "websocket", false, "stripBasePath", false),
                        BACKEND, new Upstream("::1", 9002), new Upstream("localhost", 9003)),
                service("site", "/", Map.of(), BACKEND),
                service("zero-upstreams", "/zero", Map.of()));

        assertThat(validator.validate(renderedGroup(snapshot))).isEqualTo(new ValidationResult.Valid());
    }

    @Test
    void groupWithOnlyAServiceWithoutUpstreamsIsValid() {
        ConfigBundle bundle = renderedGroup(snapshot(service("empty", "/empty", Map.of())));

        assertThat(validator.validate(bundle)).isEqualTo(new ValidationResult.Valid());
    }

    @Test
    void emptyGroupIsValid() {
        assertThat(validator.validate(renderedGroup(snapshot()))).isEqualTo(new ValidationResult.Valid());
    }

    @Test
    void invalidDirectiveFromALocationTemplateOverrideIsReportedWithFileLineAndService() {
        BundleRenderer renderer = new BundleRenderer(Fixtures.templates().withOverrides(Map.of(TemplateSet.LOCATION,
                "location ${service.locationPrefix} {\n    return 200;\n    proxy_bogus on;\n}\n")));
        ConfigBundle bundle = rendered(renderer.renderGroup(snapshot(service("shop", "/shop", Map.of(), BACKEND)), GROUP));

        ValidationResult result = validator.validate(bundle);

        assertThat(result).isEqualTo(new ValidationResult.Invalid(List.of(
                new ConfigError("locations/shop.conf", 3, "shop", "unknown directive \"proxy_bogus\""))));
    }

    @Test
    void invalidDirectiveInTheMainTemplateNamesNginxConfAndNoService() {
        String main = Fixtures.templates().templates().get(TemplateSet.MAIN)
                .replace("worker_processes auto;", "worker_processes auto;\nworker_bogus 1;");
        BundleRenderer renderer = new BundleRenderer(Fixtures.templates().withOverrides(Map.of(TemplateSet.MAIN, main)));
        ConfigBundle bundle = rendered(renderer.renderGroup(snapshot(service("shop", "/shop", Map.of(), BACKEND)), GROUP));
        int line = lineOf(bundle.files().get("nginx.conf"), "worker_bogus 1;");

        ValidationResult result = validator.validate(bundle);

        assertThat(result).isInstanceOfSatisfying(ValidationResult.Invalid.class, invalid -> assertThat(invalid.errors())
                .containsExactly(new ConfigError("nginx.conf", line, null, "unknown directive \"worker_bogus\"")));
    }

    @Test
    void secondServiceClaimingTheSameBasePathIsTheOneBlamed() {
        ConfigBundle bundle = renderedGroup(snapshot(
                service("first", "/same", Map.of(), BACKEND),
                service("second", "/same", Map.of(), BACKEND)));

        ValidationResult result = validator.validate(bundle);

        assertThat(result).isInstanceOfSatisfying(ValidationResult.Invalid.class, invalid -> {
            assertThat(invalid.errors()).hasSize(1);
            ConfigError error = invalid.errors().get(0);
            assertThat(error.file()).isEqualTo("locations/second.conf");
            assertThat(error.serviceId()).isEqualTo("second");
            assertThat(error.message()).contains("duplicate location");
        });
    }

    @Test
    void errorMessagesNeverLeakTheSandboxPath() {
        ConfigBundle bundle = ConfigBundle.of(GROUP, Map.of(
                "nginx.conf", "events {}\nhttp { include missing/piece.conf; }\n"));

        ValidationResult result = validator.validate(bundle);

        assertThat(result).isInstanceOfSatisfying(ValidationResult.Invalid.class, invalid -> {
            ConfigError error = invalid.errors().get(0);
            assertThat(error.file()).isEqualTo("nginx.conf");
            assertThat(error.line()).isEqualTo(2);
            assertThat(error.message()).contains("\"missing/piece.conf\"").doesNotContain("lbm-validate");
        });
    }

    @Test
    void hangingNginxIsKilledAndReportedAsTimedOut(@TempDir Path tmp) throws IOException {
        Path fake = tmp.resolve("slow-nginx");
        Files.writeString(fake, "#!/bin/sh\nsleep 30\necho done\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        NginxValidator impatient = new NginxValidator(fake.toString(), Duration.ofMillis(500), NginxValidator.defaultSandboxParent(),
                new NginxJail.Unjailed());

        long started = System.nanoTime();
        ValidationResult result = impatient.validate(renderedGroup(snapshot()));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(result).isEqualTo(new ValidationResult.Invalid(List.of(
                new ConfigError(null, null, null, "nginx -t timed out after 500ms"))));
        assertThat(took).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void sandboxIsCreatedInTheGivenDirectoryAndRemovedAfterTheCheck(@TempDir Path parent) throws IOException {
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x")); // the jail's user passes through
        NginxValidator inParent = new NginxValidator(Fixtures.NGINX, Duration.ofSeconds(20), parent);
        Path wrapper = NginxWrappers.heldWhileHoldFileExists(Files.createDirectory(parent.resolve("wrapper")));
        NginxValidator noting = new NginxValidator(wrapper.toString(), Duration.ofSeconds(20), parent, new NginxJail.Unjailed());

        assertThat(inParent.validate(renderedGroup(snapshot()))).isEqualTo(new ValidationResult.Valid());
        assertThat(noting.validate(renderedGroup(snapshot()))).isEqualTo(new ValidationResult.Valid());

        assertThat(Files.readString(NginxWrappers.runsLog(parent.resolve("wrapper")))).as("the -c path nginx was given")
                .startsWith(parent + "/lbm-validate-");
        try (var left = Files.list(parent)) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(name -> !name.startsWith("lbm-jail-")))
                    .containsExactly("wrapper");
        }
        try (var kept = Files.list(parent)) {
            assertThat(kept.filter(p -> p.getFileName().toString().startsWith("lbm-jail-")))
                    .as("the jail kept for the next run holds nothing of this one")
                    .hasSize(1)
                    .allSatisfy(jail -> {
                        assertThat(jail.resolve("conf")).doesNotExist();
                        assertThat(jail.resolve("etc")).isEmptyDirectory();
                        assertThat(jail.resolve("nginx-t.out")).isEmptyFile();
                    });
        }
    }

    @Test
    void missingBinaryIsAnInvalidResultNamingTheBinary() {
        NginxValidator broken = new NginxValidator("/nonexistent/nginx", Duration.ofSeconds(5));

        ValidationResult result = broken.validate(renderedGroup(snapshot()));

        assertThat(result).isInstanceOfSatisfying(ValidationResult.Invalid.class, invalid ->
                assertThat(invalid.errors().get(0).message()).contains("/nonexistent/nginx"));
    }

    @Test
    void bundleWithoutMainFileIsInvalid() {
        ValidationResult result = validator.validate(ConfigBundle.of(GROUP, Map.of("locations/a.conf", "")));

        assertThat(result).isInstanceOfSatisfying(ValidationResult.Invalid.class, invalid ->
                assertThat(invalid.errors().get(0).message()).contains("nginx.conf"));
    }

    @Test
    void bundleFileEscapingTheSandboxIsRefused() {
        ValidationResult result = validator.validate(ConfigBundle.of(GROUP, Map.of(
                "nginx.conf", "events {}\nhttp {}\n", "../escaped.conf", "x")));

        assertThat(result).isInstanceOfSatisfying(ValidationResult.Invalid.class, invalid ->
                assertThat(invalid.errors().get(0).message()).contains("../escaped.conf"));
    }

    @Test
    void concurrentValidationsEachGetTheirOwnVerdict() throws Exception {
        ConfigBundle good = renderedGroup(snapshot(service("good", "/good", Map.of(), BACKEND)));
        ConfigBundle bad = ConfigBundle.of(GROUP, Map.of("nginx.conf", "events {}\nhttp { nonsense; }\n"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<ValidationResult>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ConfigBundle bundle = i % 2 == 0 ? good : bad;
                results.add(pool.submit(() -> validator.validate(bundle)));
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get().isValid()).as("validation %d", i).isEqualTo(i % 2 == 0);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static int lineOf(String content, String needle) {
        String[] lines = content.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError(needle + " not in rendered file");
    }
}
