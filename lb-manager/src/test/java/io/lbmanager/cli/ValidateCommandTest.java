package io.lbmanager.cli;

import io.lbmanager.render.UpstreamMode;
import io.lbmanager.testsupport.ManagerUnderTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ValidateCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void goodServiceFilesPassNginxTestPerGroup(@TempDir Path dir) throws Exception {
        Path orders = write(dir, "orders.json", "{\"id\":\"orders\",\"owners\":[\"team\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"],"
                + "\"options\":{\"stripBasePath\":true},\"upstreams\":[{\"host\":\"127.0.0.1\",\"port\":8080}]}");
        Path search = write(dir, "search.json", "{\"id\":\"search\",\"owners\":[\"team\"],\"basePath\":\"/search\",\"groups\":[\"edge\",\"internal\"]}");

        int status = run(ManagerUnderTest.templatesDir(), orders, search);

        assertThat(status).as(text(err)).isZero();
        assertThat(text(out)).contains("upstreams: dynamic; lua.conf.ftl: OK").contains("group edge: OK").contains("group internal: OK");
    }

    @Test
    void luaThatNginxTestWouldAcceptButThatFailsAtStartExitsOne(@TempDir Path dir) throws Exception {
        Path templates = copyOfTemplates(dir);
        Path lua = templates.resolve("lua.conf.ftl");
        Files.writeString(lua, Files.readString(lua).replace("lbm = {}", "lbm = {}\n    lbm.missing.call()"));
        Path orders = write(dir, "orders.json", "{\"id\":\"orders\",\"owners\":[\"team\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"]}");

        int status = run(templates, orders);

        assertThat(status).isEqualTo(1);
        assertThat(text(out)).contains("lua.conf.ftl: REJECTED", "init_by_lua", "lbm-lua.conf", "attempt to index field 'missing'");
    }

    @Test
    void withoutTheLuaModulesTheLuaTemplateIsSaidNotCheckedAndGroupsRenderForReloads(@TempDir Path dir) throws Exception {
        Path orders = write(dir, "orders.json", "{\"id\":\"orders\",\"owners\":[\"team\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"],"
                + "\"upstreams\":[{\"host\":\"127.0.0.1\",\"port\":8080}]}");

        int status = runWithLuaModules(dir.toString(), ManagerUnderTest.templatesDir(), orders);

        assertThat(status).as(text(out)).isZero();
        assertThat(text(out)).contains("upstreams: reload; lua.conf.ftl NOT CHECKED: " + dir.resolve("ndk_http_module.so") + " does not exist")
                .contains("group edge: OK");
    }

    @Test
    void templateNginxRejectsExitsOneWithFileLineAndService(@TempDir Path dir) throws Exception {
        Path templates = copyOfTemplates(dir);
        Path location = templates.resolve("location.conf.ftl");
        Files.writeString(location, Files.readString(location).replaceFirst("proxy_pass", "no_such_directive on;\n    proxy_pass"));
        Path orders = write(dir, "orders.json", "{\"id\":\"orders\",\"owners\":[\"team\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"],"
                + "\"upstreams\":[{\"host\":\"127.0.0.1\",\"port\":8080}]}");

        int status = run(templates, orders);

        assertThat(status).isEqualTo(1);
        assertThat(text(out)).contains("group edge: REJECTED").contains("locations/orders.conf:").contains("(service orders)")
                .contains("no_such_directive");
    }

    @Test
    void injectionInAServiceFileExitsTwoNamingFileAndField(@TempDir Path dir) throws Exception {
        Path evil = write(dir, "evil.json", "{\"id\":\"evil\",\"owners\":[\"team\"],\"basePath\":\"/x;include /etc/passwd\",\"groups\":[\"edge\"]}");

        int status = run(ManagerUnderTest.templatesDir(), evil);

        assertThat(status).isEqualTo(2);
        assertThat(text(err)).contains("evil.json").contains("basePath");
    }

    @Test
    void unknownFieldInAServiceFileExitsTwo(@TempDir Path dir) throws Exception {
        Path odd = write(dir, "odd.json", "{\"id\":\"odd\",\"owners\":[\"team\"],\"basePath\":\"/odd\",\"groups\":[\"edge\"],\"extra\":1}");

        assertThat(run(ManagerUnderTest.templatesDir(), odd)).isEqualTo(2);
        assertThat(text(err)).contains("odd.json").contains("extra");
    }

    private int run(Path templates, Path... files) {
        return runWithLuaModules(UpstreamMode.DEBIAN_MODULES_DIR, templates, files);
    }

    private int runWithLuaModules(String modulesDir, Path templates, Path... files) {
        return ValidateCommand.validate(templates, "nginx", modulesDir, List.of(files), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    static Path copyOfTemplates(Path dir) throws Exception {
        Path templates = Files.createDirectories(dir.resolve("templates"));
        for (Path template : Files.list(ManagerUnderTest.templatesDir()).filter(p -> p.toString().endsWith(".ftl")).toList()) {
            Files.copy(template, templates.resolve(template.getFileName()));
        }
        return templates;
    }

    static Path write(Path dir, String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    private static String text(ByteArrayOutputStream stream) {
        return stream.toString(StandardCharsets.UTF_8);
    }
}
