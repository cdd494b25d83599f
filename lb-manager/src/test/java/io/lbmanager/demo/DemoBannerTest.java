package io.lbmanager.demo;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo's block: what it says when the Lua balancer runs, and that it cannot hide a fall-back to reloads. */
class DemoBannerTest {

    private static final String TOKEN = "lbm_abcdefghijkl_" + "A".repeat(43);

    @Test
    void dynamicBlockNamesEverythingToCopy() {
        String text = new DemoBanner("127.0.0.1:2181", "/services", "http://127.0.0.1:8080", TOKEN, true,
                "lb-manager/target/lb-manager.jar").render("demo", "hello", List.of());
        Map<String, List<String>> block = DemoScriptIT.parse(text);
        assertThat(block.get("ZooKeeper").get(0)).startsWith("127.0.0.1:2181 ");
        assertThat(block.get("Register")).containsExactly("java -jar lb-manager/target/lb-manager.jar register --zookeeper 127.0.0.1:2181 hello");
        assertThat(block.get("Admin token")).containsExactly(TOKEN);
        assertThat(block.get("Upstreams").get(0)).startsWith("dynamic");
        assertThat(text).doesNotContain("RELOAD");
    }

    @Test
    void reloadModeIsSaidLoudly() {
        String text = new DemoBanner("127.0.0.1:40000", "/teams", "http://127.0.0.1:8080", null, false, "x.jar")
                .render("demo", "hello", List.of());
        assertThat(text).contains("!!! Upstreams: RELOAD, not dynamic").contains("libnginx-mod-http-lua lua-resty-core lua-cjson");
        assertThat(DemoScriptIT.parse(text).get("Register")).containsExactly("java -jar x.jar register --zookeeper 127.0.0.1:40000 --base-path /teams hello");
    }
}
