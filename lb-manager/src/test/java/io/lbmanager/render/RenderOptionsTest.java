package io.lbmanager.render;

import io.lbmanager.render.RenderOptions.LoadBalancing;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RenderOptionsTest {

    @Test
    void absentOptionsGetTheirDefaults() {
        assertThat(OptionDefaults.resolve(Map.of())).isEqualTo(new RenderOptions(
                5_000, 60_000, 60_000, 10, 32, 3, 10, LoadBalancing.ROUND_ROBIN, false, false));
    }

    @Test
    void numbersOfAnyWidthFromJsonAreAccepted() {
        RenderOptions options = OptionDefaults.resolve(Map.of("maxFails", 7L, "failTimeoutSeconds", 20.0, "keepaliveConnections", (short) 4));

        assertThat(options.maxFails()).isEqualTo(7);
        assertThat(options.failTimeoutSeconds()).isEqualTo(20);
        assertThat(options.keepaliveConnections()).isEqualTo(4);
    }

    @Test
    void fractionalOrNegativeOrHugeNumbersAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> OptionDefaults.resolve(Map.of("maxFails", 1.5)))
                .isInstanceOfSatisfying(InvalidOptionException.class, e -> assertThat(e.option()).isEqualTo("maxFails"));
        assertThatThrownBy(() -> OptionDefaults.resolve(Map.of("proxyReadTimeoutMs", -1)))
                .isInstanceOfSatisfying(InvalidOptionException.class, e -> assertThat(e.option()).isEqualTo("proxyReadTimeoutMs"));
        assertThatThrownBy(() -> OptionDefaults.resolve(Map.of("clientMaxBodySizeMb", 1L << 40)))
                .isInstanceOfSatisfying(InvalidOptionException.class, e -> assertThat(e.option()).isEqualTo("clientMaxBodySizeMb"));
    }

    @Test
    void unknownLoadBalancingAndNonBooleanFlagsAreRefused() {
        assertThatThrownBy(() -> OptionDefaults.resolve(Map.of("loadBalancing", "random")))
                .isInstanceOfSatisfying(InvalidOptionException.class, e -> assertThat(e.option()).isEqualTo("loadBalancing"));
        assertThatThrownBy(() -> OptionDefaults.resolve(Map.of("websocket", "true")))
                .isInstanceOfSatisfying(InvalidOptionException.class, e -> assertThat(e.option()).isEqualTo("websocket"));
    }

    @Test
    void explicitReadTimeoutWinsOverTheWebsocketDefault() {
        assertThat(OptionDefaults.resolve(Map.of("websocket", true)).proxyReadTimeoutMs()).isEqualTo(3_600_000);
        assertThat(OptionDefaults.resolve(Map.of("websocket", true, "proxyReadTimeoutMs", 5000)).proxyReadTimeoutMs()).isEqualTo(5000);
    }

    @Test
    void templateModelHasEveryOptionWithItsTemplateType() {
        assertThat(OptionDefaults.defaults().asTemplateModel())
                .containsOnlyKeys("proxyConnectTimeoutMs", "proxyReadTimeoutMs", "proxySendTimeoutMs",
                        "clientMaxBodySizeMb", "keepaliveConnections", "maxFails", "failTimeoutSeconds",
                        "loadBalancing", "stripBasePath", "websocket")
                .containsEntry("loadBalancing", "round_robin")
                .containsEntry("websocket", false)
                .containsEntry("maxFails", 3);
    }
}
