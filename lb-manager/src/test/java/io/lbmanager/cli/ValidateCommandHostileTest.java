package io.lbmanager.cli;

import io.lbmanager.render.UpstreamMode;
import io.lbmanager.validate.NginxJail;
import io.lbmanager.testsupport.HostileTemplates;
import io.lbmanager.testsupport.ManagerUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code validate} command with hostile templates (held against the installed ones) or hostile
 * service pieces: refused naming the template and line, no byte of the planted secret in its output,
 * nothing created outside the sandbox. The real nginx in the default jail.
 */
class ValidateCommandHostileTest {

    private static final HostileTemplates HOSTILE = new HostileTemplates();
    private static final String ORDERS = "{\"id\":\"orders\",\"owners\":[\"team\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"],"
            + "\"upstreams\":[{\"host\":\"127.0.0.1\",\"port\":8080}]}";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterAll
    static void removeSecret() {
        HOSTILE.close();
    }

    static List<HostileTemplates.Case> cases() {
        return HOSTILE.cases(ManagerUnderTest.templatesDir());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hostileTemplateAgainstTheInstalledOnesIsRefusedAndLeavesNoTrace(HostileTemplates.Case hostile, @TempDir Path dir) throws Exception {
        Path proposed = ValidateCommandTest.copyOfTemplates(dir);
        Files.writeString(proposed.resolve(hostile.template()), hostile.content());

        int status = run(proposed, ManagerUnderTest.templatesDir(), ValidateCommandTest.write(dir, "orders.json", ORDERS));

        String said = text(out) + text(err);
        assertThat(said).doesNotContain(HOSTILE.marker());
        assertThat(status).as(said).isEqualTo(1);
        assertThat(said).contains("rendered from " + hostile.template());
        assertThat(hostile.mustNotExist()).allSatisfy(path -> assertThat(path).doesNotExist());
        assertThat(HOSTILE.outsideIsEmpty()).as("nothing created in the directory outside the sandbox").isTrue();
    }

    @Test
    void withoutInstalledTemplatesPiecesAreStillRefusedAndTheJailHoldsForTheRest(@TempDir Path dir) throws Exception {
        List<HostileTemplates.Case> cases = cases();
        for (HostileTemplates.Case hostile : cases.stream().filter(c -> !c.template().equals("lua.conf.ftl")).toList()) {
            Path proposed = ValidateCommandTest.copyOfTemplates(Files.createDirectories(dir.resolve("case" + cases.indexOf(hostile))));
            Files.writeString(proposed.resolve(hostile.template()), hostile.content());
            out.reset();
            err.reset();

            run(proposed, null, ValidateCommandTest.write(dir, "orders.json", ORDERS));

            String said = text(out) + text(err);
            assertThat(said).as(hostile.name()).doesNotContain(HOSTILE.marker());
            if (hostile.template().equals("location.conf.ftl")) {
                assertThat(said).as(hostile.name()).contains("REJECTED", "rendered from location.conf.ftl");
            }
            assertThat(hostile.mustNotExist()).as(hostile.name()).allSatisfy(path -> assertThat(path).doesNotExist());
            assertThat(HOSTILE.outsideIsEmpty()).as(hostile.name() + ": nothing created outside the sandbox").isTrue();
        }
    }

    private int run(Path templates, Path installed, Path... files) {
        ValidateCommand.Options options = new ValidateCommand.Options(templates, installed, "nginx", UpstreamMode.DEBIAN_MODULES_DIR,
                NginxJail.of("bwrap", "bwrap", UpstreamMode.DEBIAN_MODULES_DIR));
        return ValidateCommand.validate(options, List.of(files), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static String text(ByteArrayOutputStream stream) {
        return stream.toString(StandardCharsets.UTF_8);
    }
}
