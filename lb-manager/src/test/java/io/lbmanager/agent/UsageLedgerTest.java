package io.lbmanager.agent;

import io.lbmanager.contract.UsageRecord;
import io.lbmanager.contract.UsageRecord.ServiceUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class UsageLedgerTest {

    private static final long HOUR = 3_600_000L;
    private static final long T0 = 1_800_000_000_000L - 1_800_000_000_000L % HOUR + 60_000;
    private static final NginxResources.Sample TWO_CPU_SECONDS = new NginxResources.Sample(2.0, 1_000_000_000L);

    @TempDir
    Path dir;

    private static UsageCounters reading(String epoch, long shopRequests, long cartRequests) {
        return new UsageCounters(epoch, Map.of(
                "shop", new ServiceUsage(shopRequests, shopRequests * 100, shopRequests * 1000, shopRequests, 0, 0, 0, 0, 0, 0),
                "cart", new ServiceUsage(cartRequests, cartRequests * 10, cartRequests * 10, 0, 0, cartRequests, cartRequests, 0, 0, 0)));
    }

    @Test
    void theSameEpochCountsGrowthAndANewEpochCountsEverything() throws Exception {
        UsageLedger ledger = new UsageLedger(dir.resolve("usage.json"));
        ledger.book("edge", "a1", reading("e1", 10, 0), TWO_CPU_SECONDS, T0, T0 - 1000);
        UsageRecord reload = ledger.book("edge", "a1", reading("e1", 15, 5), TWO_CPU_SECONDS, T0 + 1000, 0);
        assertThat(reload.services().get("shop").requests()).as("a reload keeps the dict: growth only").isEqualTo(5);
        assertThat(reload.services().get("cart").noUpstream()).isEqualTo(5);
        UsageRecord restart = ledger.book("edge", "a1", reading("e2", 3, 0), TWO_CPU_SECONDS, T0 + 2000, 0);
        assertThat(restart.services().get("shop").requests()).as("a restarted Nginx counts from 0").isEqualTo(3);
        assertThat(restart.services()).doesNotContainKey("cart");
        assertThat(ledger.unshipped()).hasSize(1);
        assertThat(ledger.unshipped().get(0).total().services().get("shop").requests()).isEqualTo(18);
        assertThat(ledger.unshipped().get(0).total().services().get("shop").bytesOut()).isEqualTo(18_000);
    }

    @Test
    void cpuAndMemoryAreApportionedByRequests() throws Exception {
        UsageLedger ledger = new UsageLedger(dir.resolve("usage.json"));
        UsageRecord interval = ledger.book("edge", "a1", reading("e1", 30, 10), TWO_CPU_SECONDS, T0 + 10_000, T0);
        assertThat(interval.services().get("shop").cpuSeconds()).isEqualTo(1.5);
        assertThat(interval.services().get("cart").cpuSeconds()).isEqualTo(0.5);
        assertThat(interval.memoryGbSeconds()).as("1 GB for 10 s").isEqualTo(10.0);
        assertThat(interval.services().get("shop").memoryGbSeconds()).isEqualTo(7.5);
    }

    @Test
    void aRestartedAgentContinuesFromItsBookAndNothingIsCountedTwice() throws Exception {
        Path file = dir.resolve("usage.json");
        UsageLedger first = new UsageLedger(file);
        first.book("edge", "a1", reading("e1", 10, 0), TWO_CPU_SECONDS, T0, T0 - 1000);
        UsageLedger.Hour hour = first.unshipped().get(0);
        first.shipped(hour);
        first.book("edge", "a1", reading("e1", 12, 0), TWO_CPU_SECONDS, T0 + 1000, 0);

        UsageLedger second = new UsageLedger(file);
        assertThat(second.ledgerId()).isEqualTo(first.ledgerId());
        assertThat(second.unshipped()).as("the booked but unshipped growth survives").hasSize(1);
        second.book("edge", "a1", reading("e1", 12, 0), TWO_CPU_SECONDS, T0 + 2000, 0);
        assertThat(second.unshipped().get(0).total().services().get("shop").requests()).isEqualTo(12);
    }

    @Test
    void anHourStartsANewRecordAndShippedOldHoursAreForgotten() throws Exception {
        UsageLedger ledger = new UsageLedger(dir.resolve("usage.json"));
        ledger.book("edge", "a1", reading("e1", 10, 0), TWO_CPU_SECONDS, T0, T0 - 1000);
        ledger.book("edge", "a1", reading("e1", 11, 0), TWO_CPU_SECONDS, T0 + HOUR, 0);
        assertThat(ledger.unshipped()).extracting(h -> h.own().intervalStart()).containsExactly(T0 - 60_000, T0 - 60_000 + HOUR);
        ledger.unshipped().forEach(h -> {
            try {
                ledger.shipped(h);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        ledger.book("edge", "a1", reading("e1", 12, 0), TWO_CPU_SECONDS, T0 + 4 * HOUR, 0);
        assertThat(ledger.unshipped()).hasSize(1);
        assertThat(Files.readString(dir.resolve("usage.json"))).doesNotContain("\"" + (T0 - 60_000) + "\"");
    }

    @Test
    void whatAnotherLedgerWroteIsAdoptedOnce() throws Exception {
        UsageLedger ledger = new UsageLedger(dir.resolve("usage.json"));
        ledger.book("edge", "a1", reading("e1", 10, 0), TWO_CPU_SECONDS, T0, T0 - 1000);
        UsageLedger.Hour hour = ledger.unshipped().get(0);
        UsageRecord foreign = new UsageRecord("edge", "a1", hour.own().intervalStart(), T0 - 5000, "lost-disk", 1, 1,
                Map.of("shop", new ServiceUsage(7, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        UsageLedger.Hour adopted = ledger.adopt(hour, foreign);
        assertThat(adopted.total().services().get("shop").requests()).isEqualTo(17);
        assertThat(adopted.total().writer()).isEqualTo(ledger.ledgerId());
        ledger.shipped(adopted);
        ledger.book("edge", "a1", reading("e1", 11, 0), TWO_CPU_SECONDS, T0 + 1000, 0);
        assertThat(ledger.unshipped().get(0).total().services().get("shop").requests()).isEqualTo(18);
    }
}
