package io.lbmanager.contract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouteLineTest {

    @Test
    void aLineReadsBackAsItWasWritten() {
        RouteLine line = new RouteLine("shop", "/shop/api", "p0123456789", 1000, 60000, 60000, 3, 10, true);

        assertThat(line.format()).isEqualTo("shop /shop/api p0123456789 1000 60000 60000 3 10 1");
        assertThat(RouteLine.parse(line.format())).isEqualTo(line);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "shop /shop p0123456789 1000 60000 60000 3 10",
            "shop /shop p0123456789 1000 60000 60000 3 10 1 extra",
            "Shop /shop p0123456789 1000 60000 60000 3 10 1",
            "shop /shop/ p0123456789 1000 60000 60000 3 10 1",
            "shop /shop;return p0123456789 1000 60000 60000 3 10 1",
            "shop /shop/../etc p0123456789 1000 60000 60000 3 10 1",
            "shop shop p0123456789 1000 60000 60000 3 10 1",
            "shop /shop P0123456789 1000 60000 60000 3 10 1",
            "shop /shop p0123456789 0 60000 60000 3 10 1",
            "shop /shop p0123456789 -5 60000 60000 3 10 1",
            "shop /shop p0123456789 1000 60000 60000 3 10 2",
            "shop  /shop p0123456789 1000 60000 60000 3 10 1",
            "shop /shop p0123456789 1000 60000 60000 3 10 1\n"})
    void aLineNginxMustNotReadIsRefusedWithTheFieldNamed(String text) {
        assertThatThrownBy(() -> RouteLine.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("route ");
    }

    @Test
    void theRootIsABasePath() {
        assertThat(RouteLine.parse("web / p0123456789 1 1 1 0 0 0").basePath()).isEqualTo("/");
    }
}
