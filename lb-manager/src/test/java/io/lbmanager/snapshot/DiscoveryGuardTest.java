package io.lbmanager.snapshot;

import io.lbmanager.snapshot.DiscoveryGuardTest;
import io.lbmanager.snapshot.DiscoveryGuard;
import io.lbmanager.snapshot.DiscoveredInstance;
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
