package io.lbmanager.rollout;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class CoalescerTest {

    @Test
    void burstOfFiveHundredSignalsBecomesFewRunsAndTheLastSignalIsNeverLost() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        AtomicLong lastRunStart = new AtomicLong();
        try (Coalescer coalescer = new Coalescer("test", () -> {
            lastRunStart.set(System.nanoTime());
            runs.incrementAndGet();
        }, 50, 300)) {
            long start = System.nanoTime();
            for (int i = 0; i < 500; i++) {
                coalescer.signal();
                Thread.sleep(2);
            }
            long lastSignal = System.nanoTime();
            Thread.sleep(500);

            long burstMillis = (lastSignal - start) / 1_000_000;
            assertThat(runs.get()).isBetween(1, (int) (burstMillis / 300) + 2);
            assertThat(lastRunStart.get()).isGreaterThan(lastSignal);
        }
    }

    @Test
    void quietSignalRunsAfterTheQuietPeriodOnly() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (Coalescer coalescer = new Coalescer("test", runs::incrementAndGet, 200, 1000)) {
            coalescer.signal();
            Thread.sleep(50);
            assertThat(runs.get()).isZero();
            Thread.sleep(400);
            assertThat(runs.get()).isEqualTo(1);
        }
    }
}
