package io.lbmanager.validate;

import io.lbmanager.contract.ConfigBundle;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parser reads a rendered file as Nginx does, so tricks that Nginx undoes are undone before the policy looks. */
class RenderedConfigPolicyTest {

    private static final String INSTALLED_MAIN = "events {}\nhttp {\n    client_body_temp_path tmp/body;\n    include upstreams/*.conf;\n"
            + "    server {\n        include lbm-agent.conf;\n        include locations/*.conf;\n    }\n}\n";
    private static final ConfigBundle INSTALLED = ConfigBundle.of("edge", Map.of("nginx.conf", INSTALLED_MAIN,
            "locations/shop.conf", "location /shop { return 200; }\n"));

    @Test
    void quotedEscapedAndSplitDirectiveNamesAreReadAsNginxReadsThem() throws Exception {
        List<NginxConfParser.Directive> directives = NginxConfParser.parse(
                "\"include\" /a; 'inc' 'lude'; in\\clude /b; # include /c;\nx#y include\n  /d;\nset $v \"${x}\";");

        assertThat(directives).extracting(NginxConfParser.Directive::name).containsExactly("include", "inc", "in\\clude", "x#y", "set");
        assertThat(directives.get(0).args()).containsExactly("/a");
        assertThat(directives.get(1).args()).containsExactly("lude");
        assertThat(directives.get(3).args()).containsExactly("include", "/d");
        assertThat(directives.get(3).line()).isEqualTo(2);
        assertThat(directives.get(4).args()).containsExactly("$v", "${x}");
    }

    @Test
    void luaBlockBodyEndsAtItsOwnBraceNotAtBracesInStringsOrComments() throws Exception {
        List<NginxConfParser.Directive> directives = NginxConfParser.parse(
                "location / {\n content_by_lua_block { local t = { \"}\" } -- }\n ngx.say([[}]]) }\n include /x;\n}\n");

        assertThat(directives).extracting(NginxConfParser.Directive::name).containsExactly("location", "content_by_lua_block", "include");
        assertThat(directives.get(1).luaBlock()).contains("ngx.say([[}]])");
        assertThat(directives.get(2).line()).isEqualTo(4);
        assertThat(directives.get(2).enclosing()).containsExactly("location");
    }

    @Test
    void textNginxCannotReadIsRefusedWithItsLine() {
        assertThatThrownBy(() -> NginxConfParser.parse("location / {\n  return 200;\n")).isInstanceOf(NginxConfParser.SyntaxException.class);
        assertThat(RenderedConfigPolicy.refusals(Map.of("locations/shop.conf", "location / { \"unterminated; }\n"), Set.of(), null))
                .singleElement().satisfies(e -> assertThat(e.message()).contains("cannot be read as Nginx configuration"));
    }

    @Test
    void piecesMayNameNoFileWhateverTheReference() {
        List<ConfigError> refused = RenderedConfigPolicy.refusals(Map.of("locations/shop.conf",
                "location /shop {\n    error_log /tmp/x;\n    access_log off;\n    include ../../etc/passwd;\n"
                        + "    access_by_lua_block { lbm.require_peers(\"shop\") }\n    access_by_lua_block { lbm.require_peers(\"other\") }\n}\n"),
                INSTALLED.files().keySet(), INSTALLED);

        assertThat(refused).extracting(ConfigError::line).containsExactly(2, 4, 6);
        assertThat(refused).allSatisfy(e -> assertThat(e.message()).contains("rendered from location.conf.ftl"));
        assertThat(refused).extracting(ConfigError::serviceId).containsOnly("shop");
    }

    @Test
    void groupFilesKeepTheInstalledSensitiveDirectivesAndIncludesOfTheBundleOnly() {
        String proposed = INSTALLED_MAIN.replace("http {", "pid /tmp/p;\nhttp {\n    include locations/shop.conf;\n    include /etc/passwd;")
                .replace("tmp/body", "/tmp/body");

        List<ConfigError> refused = RenderedConfigPolicy.refusals(Map.of("nginx.conf", proposed), INSTALLED.files().keySet(), INSTALLED);

        assertThat(refused).extracting(ConfigError::message).hasSize(3)
                .anySatisfy(m -> assertThat(m).startsWith("\"pid\" is refused"))
                .anySatisfy(m -> assertThat(m).startsWith("\"include /etc/passwd\" is refused"))
                .anySatisfy(m -> assertThat(m).startsWith("\"client_body_temp_path\" is refused"));
        assertThat(RenderedConfigPolicy.refusals(INSTALLED.files(), INSTALLED.files().keySet(), INSTALLED)).isEmpty();
    }

    @Test
    void withoutAReferenceGroupFilesAreTheOperatorsButPiecesStillAreNot() {
        assertThat(RenderedConfigPolicy.refusals(Map.of("nginx.conf", "error_log /var/log/edge.log;\nevents {}\n"), Set.of(), null)).isEmpty();
        assertThat(RenderedConfigPolicy.refusals(Map.of("upstreams/shop.conf", "upstream shop { server 1.2.3.4; perl_set $x 'sub {}'; }"),
                Set.of(), null)).hasSize(1);
    }
}
