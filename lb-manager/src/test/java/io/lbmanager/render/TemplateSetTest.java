package io.lbmanager.render;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TemplateSetTest {

    @Test
    void repositoryTemplatesLoadWithAllRequiredTemplates() {
        assertThat(Fixtures.templates().templates()).containsKeys(TemplateSet.REQUIRED.toArray(String[]::new));
    }

    @Test
    void missingDirectoryIsNamedInTheError(@TempDir Path tmp) {
        Path missing = tmp.resolve("nope");

        assertThatThrownBy(() -> TemplateSet.load(missing))
                .isInstanceOf(TemplateSetException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void directoryLackingATemplateNamesIt(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve(TemplateSet.MAIN), "events {}\n");
        Files.writeString(tmp.resolve(TemplateSet.UPSTREAM), "");

        assertThatThrownBy(() -> TemplateSet.load(tmp))
                .isInstanceOf(TemplateSetException.class)
                .hasMessageContaining(TemplateSet.LOCATION)
                .hasMessageNotContaining(TemplateSet.UPSTREAM);
    }

    @Test
    void loadReadsEveryFtlFileAndIgnoresOthers(@TempDir Path tmp) throws IOException {
        for (String name : TemplateSet.REQUIRED) {
            Files.writeString(tmp.resolve(name), "# " + name + "\n");
        }
        Files.writeString(tmp.resolve("macros.ftl"), "<#macro m></#macro>");
        Files.writeString(tmp.resolve("README.md"), "docs");

        assertThat(TemplateSet.load(tmp).templates()).containsOnlyKeys(
                TemplateSet.MAIN, TemplateSet.UPSTREAM, TemplateSet.LOCATION, "macros.ftl");
    }

    @Test
    void overridesReplaceAndAddWithoutTouchingTheOriginal() {
        TemplateSet original = Fixtures.templates();

        TemplateSet changed = original.withOverrides(Map.of(TemplateSet.LOCATION, "# new\n", "extra.ftl", "x"));

        assertThat(changed.templates().get(TemplateSet.LOCATION)).isEqualTo("# new\n");
        assertThat(changed.templates()).containsKey("extra.ftl");
        assertThat(original.templates().get(TemplateSet.LOCATION)).isNotEqualTo("# new\n");
        assertThat(original.templates()).doesNotContainKey("extra.ftl");
    }

    @Test
    void overrideWithAPathInsteadOfANameIsRefused() {
        assertThatThrownBy(() -> Fixtures.templates().withOverrides(Map.of("../etc/passwd.ftl", "x")))
                .isInstanceOf(TemplateSetException.class)
                .hasMessageContaining("../etc/passwd.ftl");
    }

    @Test
    void inMemorySetWithoutMainTemplateIsRefused() {
        assertThatThrownBy(() -> TemplateSet.of(Map.of(TemplateSet.UPSTREAM, "", TemplateSet.LOCATION, "")))
                .isInstanceOf(TemplateSetException.class)
                .hasMessageContaining(TemplateSet.MAIN);
    }
}
