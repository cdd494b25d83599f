package io.lbmanager.render;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentIncludeTest {

    private static final String SHA = "ab".repeat(32);

    @Test
    void listensWhereToldAndAnswersVersionAndChecksum() {
        String include = AgentInclude.render("127.0.0.1", 18080, 42, SHA);

        assertThat(include).contains(
                "listen 127.0.0.1:18080;",
                "location = /_lbm/version {",
                "access_log off;",
                "default_type text/plain;",
                "return 200 \"42 " + SHA + "\\n\";");
    }

    @Test
    void ipv6ListenAddressIsBracketed() {
        assertThat(AgentInclude.render("::1", 80, 1, SHA)).contains("listen [::1]:80;");
    }

    @Test
    void refusesValuesThatCouldInjectDirectives() {
        assertThatThrownBy(() -> AgentInclude.render("127.0.0.1; include /etc/x", 80, 1, SHA))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listen host");
        assertThatThrownBy(() -> AgentInclude.render("127.0.0.1", 0, 1, SHA))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> AgentInclude.render("127.0.0.1", 80, -1, SHA))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version");
        assertThatThrownBy(() -> AgentInclude.render("127.0.0.1", 80, 1, "abc\"; }"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sha256");
    }
}
