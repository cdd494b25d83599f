package io.lbmanager.peers;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Writes to disk off the handing thread: a slow write holds up nobody, only the newest of what waits is written, writes are spaced. */
class NewestOnDiskTest {

    @Test
    void whileAWriteIsSlowKeepReturnsAndOnlyTheNewestWaitingValueIsWrittenNext() throws Exception {
        CountDownLatch firstWriteStarted = new CountDownLatch(1);
        CountDownLatch releaseFirstWrite = new CountDownLatch(1);
        List<Integer> written = new CopyOnWriteArrayList<>();
        NewestOnDisk<Integer> disk = new NewestOnDisk<>("disk-test", "edge/a1", Duration.ZERO, value -> {
            if (value == 1) {
                firstWriteStarted.countDown();
                try {
                    releaseFirstWrite.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            written.add(value);
        }, value -> "value " + value);

        disk.keep(1);
        assertThat(firstWriteStarted.await(10, TimeUnit.SECONDS)).as("first write started").isTrue();
        for (int value = 2; value <= 50; value++) {
            disk.keep(value); // returns although the write in flight waits
        }
        assertThat(written).as("nothing written while the first write waits").isEmpty();
        releaseFirstWrite.countDown();
        disk.close();

        assertThat(written).containsExactly(1, 50);
    }

    @Test
    void valuesHandedOverFasterThanTheGapAreWrittenAtMostOncePerGapAndCloseWritesTheLast() throws Exception {
        Duration gap = Duration.ofMillis(200);
        List<Integer> written = new CopyOnWriteArrayList<>();
        NewestOnDisk<Integer> disk = new NewestOnDisk<>("disk-test", "edge/a1", gap, written::add, value -> "value " + value);

        long start = System.nanoTime();
        for (int value = 1; value <= 100; value++) {
            disk.keep(value);
            Thread.sleep(5);
        }
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        disk.close();

        assertThat(written).as("written within " + elapsedMillis + " ms").hasSizeLessThanOrEqualTo(2 + (int) (elapsedMillis / gap.toMillis()));
        assertThat(written).isSorted().startsWith(1).endsWith(100);
    }
}
