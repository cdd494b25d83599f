package io.lbmanager.validate;

import io.lbmanager.contract.ConfigBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A jail is kept between runs to save its set-up, so what one run leaves must not reach the next:
 * the "nginx" here is a script run inside the jail that leaves a process and a file in its log
 * directory, and fails when it finds any of them from an earlier run.
 */
class KeptJailTest {

    private static final String LEAVES_TRACES = """
            #!/bin/sh
            for proc in /proc/[0-9]*; do
              if grep -q lingering "$proc/cmdline" 2>/dev/null; then echo "a process of an earlier run is still here"; exit 3; fi
            done
            if [ -e conf/logs/left-by-a-run ]; then echo "a file of an earlier run is in the sandbox"; exit 5; fi
            if [ -e left-by-a-run ]; then echo "a file of an earlier run is beside the bundle"; exit 6; fi
            touch conf/logs/left-by-a-run
            touch left-by-a-run 2>/dev/null
            sh -c 'sleep 300; :' lingering &
            exit 0
            """;

    @Test
    void aKeptJailIsReusedAndEveryRunFindsNothingOfTheRunBefore(@TempDir Path parent) throws IOException {
        NginxValidator validator = new NginxValidator(script(parent, LEAVES_TRACES).toString(), Duration.ofSeconds(20), parent);

        List<ValidationResult> results = Stream.generate(() -> validator.checkInJail(bundle())).limit(5).toList();

        assertThat(results).containsOnly(new ValidationResult.Valid());
        assertThat(keptJails(parent)).as("one jail served every run, one at a time").hasSize(1);
    }

    @Test
    void aRunThatTimesOutEndsItsJailAndTheNextRunGetsANewOne(@TempDir Path parent) throws IOException {
        Path hangsOnce = parent.resolve("bin").resolve("go-on"); // the binary's directory is visible in the jail
        NginxValidator validator = new NginxValidator(script(parent, """
                #!/bin/sh
                if [ ! -e %s ]; then exec sleep 30; fi
                exit 0
                """.formatted(hangsOnce)).toString(), Duration.ofMillis(500), parent);

        ValidationResult first = validator.checkInJail(bundle());
        List<Path> afterTimeout = keptJails(parent);
        Files.createFile(hangsOnce);
        ValidationResult second = validator.checkInJail(bundle());

        assertThat(first).isEqualTo(new ValidationResult.Invalid(List.of(new ConfigError(null, null, null, "nginx -t timed out after 500ms"))));
        assertThat(afterTimeout).as("the jail of the run that hung is gone").isEmpty();
        assertThat(second).isEqualTo(new ValidationResult.Valid());
    }

    private static Path script(Path parent, String text) throws IOException {
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x")); // the jail's user passes through
        Path bin = Files.createDirectory(parent.resolve("bin"));
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path script = bin.resolve("nginx");
        Files.writeString(script, text);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private static List<Path> keptJails(Path parent) throws IOException {
        try (Stream<Path> files = Files.list(parent)) {
            return files.filter(path -> path.getFileName().toString().startsWith("lbm-jail-")).toList();
        }
    }

    private static ConfigBundle bundle() {
        return ConfigBundle.of("edge", Map.of(ConfigBundle.MAIN_FILE, "events {}\n"));
    }
}
