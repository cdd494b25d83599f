package io.lbmanager.validate;

import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.render.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The jail holds on its own, as if RenderedConfigPolicy had let everything through: the real nginx,
 * run by the jailed validator, can neither read a planted secret nor create files outside its sandbox.
 */
class JailHoldsTest {

    private final String marker = "lbmsecret" + UUID.randomUUID().toString().replace("-", "");
    private final NginxValidator jailed = new NginxValidator(Fixtures.NGINX, Duration.ofSeconds(20));
    private Path secret;
    private Path outside;

    @BeforeEach
    void plantSecret() throws Exception {
        secret = Files.createTempFile("lbm-secret-", ".conf");
        Files.writeString(secret, marker + " on;\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        outside = Files.createTempDirectory("lbm-outside-");
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @AfterEach
    void removeSecret() {
        NginxValidator.deleteQuietly(outside);
        NginxValidator.deleteQuietly(secret);
    }

    @Test
    void includeOfAPlantedSecretFailsInsideTheJailAndItsContentIsNotEchoed() {
        ValidationResult result = jailed.checkInJail(bundle("events {}\nhttp {\n    include " + secret + ";\n}\n"));

        assertThat(result).isInstanceOf(ValidationResult.Invalid.class);
        assertThat(result.toString()).doesNotContain(marker).contains("open()").contains("No such file or directory");
    }

    @Test
    void relativeIncludeOutOfTheBundleReadsNothingOfTheHost() {
        String up = "../".repeat(12);
        ValidationResult result = jailed.checkInJail(bundle("events {}\nhttp {\n    include " + up + secret.toString().substring(1) + ";\n}\n"));

        assertThat(result).isInstanceOf(ValidationResult.Invalid.class);
        assertThat(result.toString()).doesNotContain(marker);
    }

    @Test
    void logsTempPathsAndPidOutsideTheSandboxAreNotCreated() {
        Path errorLog = outside.resolve("error.log");
        Path accessLog = outside.resolve("access.log");
        Path bodyTemp = outside.resolve("body");
        Path varTemp = Path.of("/var/tmp", "lbm-jail-" + UUID.randomUUID());
        ValidationResult result = jailed.checkInJail(bundle("error_log " + errorLog + ";\nevents {}\nhttp {\n"
                + "    access_log " + accessLog + ";\n    client_body_temp_path " + bodyTemp + ";\n    proxy_temp_path " + varTemp + ";\n}\n"));

        assertThat(result).isInstanceOf(ValidationResult.Invalid.class);
        assertThat(List.of(errorLog, accessLog, bodyTemp, varTemp)).allSatisfy(path -> assertThat(path).doesNotExist());
    }

    @Test
    void theJailsTmpIsReadOnlySoNothingLandsInTheHostsTmpOrStaysForTheNextRun() {
        Path hostTmpFile = Path.of("/tmp", "lbm-jail-" + UUID.randomUUID() + ".log");
        ValidationResult result = jailed.checkInJail(bundle("error_log " + hostTmpFile + ";\nevents {}\nhttp {\n    access_log off;\n"
                + "    client_body_temp_path tmp/body;\n    proxy_temp_path tmp/proxy;\n    fastcgi_temp_path tmp/f;\n"
                + "    uwsgi_temp_path tmp/u;\n    scgi_temp_path tmp/s;\n}\n"));

        assertThat(result).isInstanceOf(ValidationResult.Invalid.class);
        assertThat(result.toString()).contains("Read-only file system");
        assertThat(hostTmpFile).doesNotExist();
    }

    @Test
    void missingJailToolRefusesToCheckRatherThanRunUnjailed() {
        NginxValidator withoutTool = new NginxValidator(Fixtures.NGINX, Duration.ofSeconds(20), NginxValidator.defaultSandboxParent(),
                NginxJail.of("bwrap", "/nonexistent/bwrap", "/usr/lib/nginx/modules"));

        assertThatThrownBy(() -> withoutTool.validate(bundle("events {}\n"))).isInstanceOf(JailUnavailableException.class)
                .hasMessageContaining("/nonexistent/bwrap").hasMessageContaining("apt-get install bubblewrap");
    }

    private static ConfigBundle bundle(String nginxConf) {
        return ConfigBundle.of("edge", Map.of(ConfigBundle.MAIN_FILE, nginxConf));
    }
}
