package io.lbmanager.rollout;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
            assertThat(runs.get()).isBetween(1, (int) (burstMillis / 300) + 3);
            assertThat(lastRunStart.get()).isGreaterThan(lastSignal);
        }
    }

    @Test
    void promptSignalAfterCalmRunsAtOnceWithoutWaitingForTheQuietPeriod() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        try (Coalescer coalescer = new Coalescer("test", ran::countDown, 60_000, 120_000)) {
            coalescer.signalPromptly();

            assertThat(ran.await(30, TimeUnit.SECONDS)).as("ran long before the 60 s quiet period").isTrue();
        }
    }

    @Test
    void promptSignalsDuringTheImmediateRunAreCoalescedIntoOneRunAfterTheQuietPeriod() throws Exception {
        Semaphore started = new Semaphore(0);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        try (Coalescer coalescer = new Coalescer("test", () -> {
            runs.incrementAndGet();
            started.release();
            awaitQuietly(release);
        }, 200, 60_000)) {
            coalescer.signalPromptly();
            assertThat(started.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 100; i++) {
                coalescer.signalPromptly();
            }
            release.countDown();

            assertThat(started.tryAcquire(30, TimeUnit.SECONDS)).as("one more run for the burst").isTrue();
            Thread.sleep(1_000);
            assertThat(runs.get()).isEqualTo(2);
        }
    }

    @Test
    void promptSignalRightAfterARunBelongsToTheBurstAndWaitsForCalm() throws Exception {
        Semaphore ran = new Semaphore(0);
        try (Coalescer coalescer = new Coalescer("test", ran::release, 60_000, 120_000)) {
            coalescer.signalPromptly();
            assertThat(ran.tryAcquire(30, TimeUnit.SECONDS)).isTrue();

            coalescer.signalPromptly();

            assertThat(ran.tryAcquire(500, TimeUnit.MILLISECONDS)).as("a second change within the quiet period waits").isFalse();
        }
    }

    @Test
    void signalsBeforeTheImmediateRunStartsDoNotPostponeIt() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        CountDownLatch executorBusy = new CountDownLatch(1);
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        executor.execute(() -> awaitQuietly(executorBusy));
        try (Coalescer coalescer = new Coalescer(ran::countDown, 60_000, 120_000, executor)) {
            coalescer.signalPromptly();
            for (int i = 0; i < 10; i++) {
                coalescer.signal();
                coalescer.signalPromptly();
            }
            executorBusy.countDown();

            assertThat(ran.await(30, TimeUnit.SECONDS)).as("the immediate run kept its place").isTrue();
        }
    }

    @Test
    void plainSignalAfterCalmStillWaitsForTheQuietPeriod() throws Exception {
        Semaphore ran = new Semaphore(0);
        try (Coalescer coalescer = new Coalescer("test", ran::release, 60_000, 120_000)) {
            coalescer.signal();

            assertThat(ran.tryAcquire(500, TimeUnit.MILLISECONDS)).as("a discovery-like change waits for calm").isFalse();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
