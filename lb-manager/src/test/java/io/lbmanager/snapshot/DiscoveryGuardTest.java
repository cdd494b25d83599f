package io.lbmanager.snapshot;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class DiscoveryGuardTest {

    private final DiscoveryGuard guard = new DiscoveryGuard(0.5, 4, 60_000);

    @Test
    void ordinaryUnregistrationOfOneServiceIsApplied() {
        guard.guard(view(instances("a", 3), instances("b", 3)), 0);

        DiscoveryGuard.Guarded next = guard.guard(view(instances("a", 3)), 1);

        assertThat(next.held()).isEmpty();
        assertThat(next.view()).doesNotContainKey("b");
    }

    @Test
    void massExpiryHoldsEmptiedServicesButAppliesShrinkingAndNewOnes() {
        guard.guard(view(instances("a", 4), instances("b", 4), instances("c", 2)), 0);

        DiscoveryGuard.Guarded next = guard.guard(view(instances("c", 1), instances("d", 1)), 1);

        assertThat(next.held()).containsOnlyKeys("a", "b");
        assertThat(next.held().get("a")).contains("9 of 10");
        assertThat(next.view().get("a")).hasSize(4);
        assertThat(next.view().get("c")).hasSize(1);
        assertThat(next.view()).containsKey("d");
    }

    @Test
    void holdEndsWhenInstancesReturn() {
        guard.guard(view(instances("a", 5), instances("b", 5)), 0);
        assertThat(guard.guard(view(), 1).held()).containsOnlyKeys("a", "b");

        DiscoveryGuard.Guarded back = guard.guard(view(instances("a", 5), instances("b", 5)), 2);

        assertThat(back.held()).isEmpty();
    }

    @Test
    void operatorReleaseAppliesTheEmptying() {
        guard.guard(view(instances("a", 5), instances("b", 5)), 0);
        assertThat(guard.guard(view(), 1).held()).isNotEmpty();

        guard.release();

        assertThat(guard.guard(view(), 2).view()).isEmpty();
    }

    @Test
    void shortlyAfterTheManagersSessionLossAnyEmptyingIsHeld() {
        guard.guard(view(instances("a", 1), instances("b", 1)), 0);
        guard.sessionLost(1_000);

        assertThat(guard.guard(view(instances("a", 1)), 2_000).held()).containsOnlyKeys("b");
        assertThat(guard.guard(view(instances("a", 1)), 62_000).held()).isEmpty();
    }

    @Test
    void aWipeSeenOneInstanceAtATimeIsOneMassLoss() {
        guard.guard(view(instances("a", 2), instances("b", 2)), 0);

        assertThat(guard.guard(view(instances("a", 2), instances("b", 1)), 10).held()).isEmpty();
        assertThat(guard.guard(view(instances("a", 2)), 20).held()).isEmpty();
        DiscoveryGuard.Guarded threeOfFour = guard.guard(view(instances("a", 1)), 30);
        assertThat(threeOfFour.held()).as("b emptied within the window; a still has one").containsOnlyKeys("b");
        assertThat(threeOfFour.view().get("b")).hasSize(2);
        DiscoveryGuard.Guarded wiped = guard.guard(view(), 40);

        assertThat(wiped.held()).containsOnlyKeys("a", "b");
        assertThat(wiped.held().get("a")).contains("4 of 4", "within 10 s");
        assertThat(wiped.view().get("a")).hasSize(2);
        assertThat(wiped.view().get("b")).as("b emptied two steps earlier, within the window").hasSize(2);
        assertThat(guard.guard(view(), 60_000).held()).as("a hold outlasts the window").containsOnlyKeys("a", "b");
    }

    @Test
    void lossesFurtherApartThanTheWindowAreOrdinaryUnregistrations() {
        guard.guard(view(instances("a", 2), instances("b", 2)), 0);

        assertThat(guard.guard(view(instances("a", 2), instances("b", 1)), 0).held()).isEmpty();
        assertThat(guard.guard(view(instances("a", 2)), 11_000).held()).isEmpty();
        assertThat(guard.guard(view(instances("a", 1)), 22_000).held()).isEmpty();
        assertThat(guard.guard(view(), 33_000).held()).isEmpty();
    }

    @Test
    void smallCatalogsAreBelowTheShareRule() {
        guard.guard(view(instances("a", 1), instances("b", 1)), 0);

        assertThat(guard.guard(view(), 1).held()).isEmpty();
    }

    @Test
    void oneServiceLosingEveryInstanceWhileTheRestIsUnchangedIsNeverHeld() {
        guard.guard(view(instances("big", 10), instances("other", 2)), 0);

        DiscoveryGuard.Guarded next = guard.guard(view(instances("other", 2)), 1);
        assertThat(next.held()).as("10 of 12 vanished, but all of one service: a deploy or a scale to zero").isEmpty();
        assertThat(next.view()).containsOnlyKeys("other");
    }

    @Test
    void rapidCyclingOfOneServicesOnlyInstanceIsNeverHeld() {
        SortedMap<String, List<DiscoveredInstance>> steady = view(instances("hello", 2));
        guard.guard(steady, 0);
        for (int round = 0; round < 30; round++) {
            long t = round * 100L;
            DiscoveredInstance probe = new DiscoveredInstance("probe", "probe-" + round, "10.0.1." + (round + 1), 9000, true);
            TreeMap<String, List<DiscoveredInstance>> withProbe = new TreeMap<>(steady);
            withProbe.put("probe", List.of(probe));
            assertThat(guard.guard(withProbe, t).held()).isEmpty();
            DiscoveryGuard.Guarded gone = guard.guard(steady, t + 50);
            assertThat(gone.held()).as("round %d", round).isEmpty();
            assertThat(gone.view()).as("round %d", round).doesNotContainKey("probe");
        }
    }

    @Test
    void aHoldEndsByItselfAfterItsLongestTimeAndSaysUntilWhen() {
        DiscoveryGuard shortHolds = new DiscoveryGuard(0.5, 4, 0, 10_000, 2, 30_000);
        shortHolds.guard(view(instances("a", 5), instances("b", 5)), 1_000);

        DiscoveryGuard.Guarded held = shortHolds.guard(view(), 2_000);
        assertThat(held.held()).containsOnlyKeys("a", "b");
        assertThat(held.holdsEndAtMillis()).isEqualTo(32_000);
        assertThat(held.held().get("a")).contains("10 of 10", "2 services", "until 1970-01-01T00:00:32Z");
        assertThat(shortHolds.guard(view(), 31_999).held()).containsOnlyKeys("a", "b");

        DiscoveryGuard.Guarded ended = shortHolds.guard(view(), 32_000);
        assertThat(ended.held()).isEmpty();
        assertThat(ended.view()).isEmpty();
        assertThat(ended.holdsEndAtMillis()).isZero();
        assertThat(shortHolds.guard(view(), 33_000).held()).as("an ended hold does not start again on the same loss").isEmpty();
    }

    @Test
    void aHoldLastsItsLongestTimeFromTheManagersReconnection() {
        DiscoveryGuard shortHolds = new DiscoveryGuard(0.5, 4, 0, 10_000, 2, 30_000);
        shortHolds.guard(view(instances("a", 5), instances("b", 5)), 0);
        assertThat(shortHolds.guard(view(), 1_000).holdsEndAtMillis()).isEqualTo(31_000);

        shortHolds.reconnected(20_000);
        assertThat(shortHolds.guard(view(), 40_000).held()).as("ZooKeeper answered again at 20 s").containsOnlyKeys("a", "b");
        assertThat(shortHolds.guard(view(), 50_000).held()).isEmpty();
    }

    private static List<DiscoveredInstance> instances(String name, int count) {
        List<DiscoveredInstance> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(new DiscoveredInstance(name, name + i, "10.0.0." + (i + 1), 8080, true));
        }
        return list;
    }

    @SafeVarargs
    private static SortedMap<String, List<DiscoveredInstance>> view(List<DiscoveredInstance>... services) {
        TreeMap<String, List<DiscoveredInstance>> view = new TreeMap<>();
        for (List<DiscoveredInstance> service : services) {
            view.put(service.get(0).name(), service);
        }
        return view;
    }
}
