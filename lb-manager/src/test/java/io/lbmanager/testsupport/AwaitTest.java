package io.lbmanager.testsupport;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AwaitTest {

    @Test
    void returnsTheFirstValueThatHolds() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        assertThat(Await.await("the third call", Duration.ofSeconds(5), calls::incrementAndGet, n -> n >= 3)).isEqualTo(3);
    }

    @Test
    void aTimeoutNamesWhatWasAwaitedAndTheLastValueSeen() {
        assertThatThrownBy(() -> Await.await("seven", Duration.ofMillis(200), () -> 6, n -> n == 7))
                .isInstanceOf(AssertionError.class).hasMessageContaining("seven").hasMessageContaining("last seen: 6");
    }

    @Test
    void anExceptionCountsAsNotYetAndIsTheLastValueSeen() {
        assertThatThrownBy(() -> Await.await("a reachable thing", Duration.ofMillis(200), () -> {
            throw new IllegalStateException("unreachable");
        })).isInstanceOf(AssertionError.class).hasMessageContaining("a reachable thing").hasMessageContaining("unreachable");
    }
}
