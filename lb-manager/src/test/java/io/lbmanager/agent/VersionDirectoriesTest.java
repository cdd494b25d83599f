package io.lbmanager.agent;

import io.lbmanager.render.ConfigBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionDirectoriesTest {

    @TempDir
    Path root;

    private static ServedVersion versionOf(long number, ConfigBundle bundle) {
        return new ServedVersion(number, bundle.sha256());
    }

    private static ConfigBundle bundle(String content) {
        return ConfigBundle.of("edge", Map.of("nginx.conf", content, "upstreams/a.conf", "# a"));
    }

    @Test
    void writesBundleAndAgentIncludeIntoItsOwnDirectory() throws IOException {
        VersionDirectories dirs = new VersionDirectories(root);
        ConfigBundle bundle = bundle("events {}");

        Path dir = dirs.write(bundle, versionOf(7, bundle), "listen 127.0.0.1:1;");

        assertThat(dir.getFileName().toString()).isEqualTo("7-" + bundle.sha256().substring(0, 8));
        assertThat(dir.resolve("nginx.conf")).hasContent("events {}");
        assertThat(dir.resolve("upstreams/a.conf")).hasContent("# a");
        assertThat(dir.resolve(ConfigBundle.AGENT_FILE)).hasContent("listen 127.0.0.1:1;");
        assertThat(root.resolve("tmp")).isDirectory();
        assertThat(root.resolve("logs")).isDirectory();
        try (var entries = Files.list(root.resolve("versions"))) {
            assertThat(entries).containsExactly(dir); // no staging leftovers
        }
    }

    @Test
    void liveSwitchesBetweenDirectoriesByRelativeSymlink() throws IOException {
        VersionDirectories dirs = new VersionDirectories(root);
        ConfigBundle one = bundle("one");
        ConfigBundle two = bundle("two");
        Path first = dirs.write(one, versionOf(1, one), "");
        Path second = dirs.write(two, versionOf(2, two), "");

        dirs.switchLiveTo(first);
        dirs.switchLiveTo(second);

        assertThat(dirs.liveDirectory()).contains(second);
        assertThat(Files.readSymbolicLink(dirs.live())).isEqualTo(Path.of("versions", second.getFileName().toString()));
        assertThat(dirs.live().resolve("nginx.conf")).hasContent("two");
        try (var entries = Files.list(root)) {
            assertThat(entries.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith(".live-"));
        }
    }

    @Test
    void pruneKeepsTheNewestAndTheLiveDirectory() throws IOException {
        VersionDirectories dirs = new VersionDirectories(root);
        Path live = null;
        for (int v = 1; v <= 8; v++) {
            ConfigBundle bundle = bundle("v" + v);
            Path dir = dirs.write(bundle, versionOf(v, bundle), "");
            if (v == 2) {
                live = dir;
            }
        }
        dirs.switchLiveTo(live);

        dirs.prune(3);

        try (var entries = Files.list(root.resolve("versions"))) {
            assertThat(entries.map(p -> p.getFileName().toString().split("-")[0]))
                    .containsExactlyInAnyOrder("2", "6", "7", "8");
        }
    }

    @Test
    void bundleFileNameThatEscapesItsDirectoryIsRefused() {
        VersionDirectories dirs = new VersionDirectories(root);
        ConfigBundle evil = ConfigBundle.of("edge", Map.of("nginx.conf", "", "../../etc/evil.conf", "x"));

        assertThatThrownBy(() -> dirs.write(evil, versionOf(1, evil), "")).hasMessageContaining("escapes its directory");
        assertThat(root.resolve("etc")).doesNotExist();
    }
}
