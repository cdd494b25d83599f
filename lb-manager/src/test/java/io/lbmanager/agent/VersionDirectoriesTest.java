package io.lbmanager.agent;

import io.lbmanager.contract.ConfigBundle;
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

    @Test
    void unchangedFilesAreHardLinksOfTheLiveVersionAndChangedOnesAreNewFiles() throws IOException {
        VersionDirectories dirs = new VersionDirectories(root);
        ConfigBundle one = ConfigBundle.of("edge", Map.of("nginx.conf", "events {}", "upstreams/a.conf", "# a",
                "upstreams/b.conf", "# b"));
        ConfigBundle two = ConfigBundle.of("edge", Map.of("nginx.conf", "events {}", "upstreams/a.conf", "# a changed",
                "upstreams/b.conf", "# b", "upstreams/c.conf", "# c"));
        Path first = dirs.write(one, versionOf(1, one), "version 1");
        dirs.switchLiveTo(first);

        Path second = dirs.write(two, versionOf(2, two), "version 2");

        assertThat(Files.isSameFile(second.resolve("nginx.conf"), first.resolve("nginx.conf"))).isTrue();
        assertThat(Files.isSameFile(second.resolve("upstreams/b.conf"), first.resolve("upstreams/b.conf"))).isTrue();
        assertThat(Files.isSameFile(second.resolve("upstreams/a.conf"), first.resolve("upstreams/a.conf"))).isFalse();
        assertThat(Files.isSameFile(second.resolve(ConfigBundle.AGENT_FILE), first.resolve(ConfigBundle.AGENT_FILE))).isFalse();
        assertThat(first.resolve("upstreams/a.conf")).hasContent("# a");
        assertThat(first.resolve(ConfigBundle.AGENT_FILE)).hasContent("version 1");
        assertThat(second.resolve("upstreams/a.conf")).hasContent("# a changed");
        assertThat(second.resolve("upstreams/c.conf")).hasContent("# c");
        assertThat(second.resolve(ConfigBundle.AGENT_FILE)).hasContent("version 2");
    }

    @Test
    void treeBuiltOnTheLiveVersionIsByteIdenticalToAFullWrite() throws IOException {
        ConfigBundle one = ConfigBundle.of("edge", Map.of("nginx.conf", "events {}", "services/a.conf", "location /a {}",
                "upstreams/a.conf", "# a", "upstreams/gone.conf", "# gone"));
        ConfigBundle two = ConfigBundle.of("edge", Map.of("nginx.conf", "events {} # two", "services/a.conf", "location /a {}",
                "upstreams/a.conf", "# a", "services/b.conf", "location /b {}", "upstreams/b.conf", "# b"));
        VersionDirectories linked = new VersionDirectories(root.resolve("linked"));
        linked.switchLiveTo(linked.write(one, versionOf(1, one), "include 1"));
        Path onLive = linked.write(two, versionOf(2, two), "include 2");

        Path full = new VersionDirectories(root.resolve("full")).write(two, versionOf(2, two), "include 2");

        assertThat(treeOf(onLive)).isEqualTo(treeOf(full));
        assertThat(treeOf(onLive)).doesNotContainKey("upstreams/gone.conf").containsEntry("nginx.conf", "events {} # two");
    }

    @Test
    void pruningTheVersionALinkCameFromLeavesTheNewerVersionWhole() throws IOException {
        VersionDirectories dirs = new VersionDirectories(root);
        ConfigBundle one = bundle("one");
        ConfigBundle two = bundle("two");
        Path first = dirs.write(one, versionOf(1, one), "");
        dirs.switchLiveTo(first);
        Path second = dirs.write(two, versionOf(2, two), "");
        dirs.switchLiveTo(second);

        dirs.prune(1);

        assertThat(first).doesNotExist();
        assertThat(second.resolve("upstreams/a.conf")).hasContent("# a");
        assertThat(second.resolve("nginx.conf")).hasContent("two");
    }

    private static Map<String, String> treeOf(Path dir) throws IOException {
        Map<String, String> files = new java.util.TreeMap<>();
        try (var walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(file).toString(), Files.readString(file));
            }
        }
        return files;
    }
}
