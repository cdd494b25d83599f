package io.lbmanager.hibernation;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class IdleClockTest {

    private final IdleClock clock = new IdleClock();

    @Test
    void aServiceFirstSeenCountsAsActiveThen() {
        clock.observe("orders", Map.of("edge/a1", 500L), 1_000);
        assertThat(clock.idleMillis("orders", 1_000)).isZero();
        assertThat(clock.idleMillis("orders", 4_000)).isEqualTo(3_000);
    }

    @Test
    void unchangedCountersLetTheIdleTimeGrowAndAnyChangeResetsIt() {
        clock.observe("orders", Map.of("edge/a1", 5L, "edge/a2", 7L), 0);
        clock.observe("orders", Map.of("edge/a1", 5L, "edge/a2", 7L), 2_000);
        assertThat(clock.idleMillis("orders", 2_000)).isEqualTo(2_000);

        clock.observe("orders", Map.of("edge/a1", 5L, "edge/a2", 8L), 2_500);
        assertThat(clock.idleMillis("orders", 3_000)).isEqualTo(500);
    }

    @Test
    void anNginxJoiningOrRestartingCountsAsActivity() {
        clock.observe("orders", Map.of("edge/a1", 5L), 0);
        clock.observe("orders", Map.of("edge/a1", 5L, "edge/a2", 0L), 4_000);
        assertThat(clock.idleMillis("orders", 4_000)).isZero();
        clock.observe("orders", Map.of("edge/a1", 0L, "edge/a2", 0L), 6_000);
        assertThat(clock.idleMillis("orders", 6_000)).isZero();
    }

    @Test
    void aWakeUpStartsTheIdleTimeAgain() {
        clock.observe("orders", Map.of("edge/a1", 5L), 0);
        clock.active("orders", 10_000);
        clock.observe("orders", Map.of("edge/a1", 5L), 11_000);
        assertThat(clock.idleMillis("orders", 11_000)).isEqualTo(1_000);
    }
}
