package io.lbmanager.snapshot;

import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServiceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A snapshot taken after one change rebuilds that change only: the other services' values and
 * instance lists are the previous snapshot's own objects, and the guard compares only the changed
 * discovery name, while still seeing a mass loss across the whole of discovery.
 */
class SnapshotPerChangeTest {

    private static final int SERVICES = 1_000;
    private static final int INSTANCES = 10;

    private final DiscoveryGuard guard = new DiscoveryGuard(0.5, 4, 60_000);
    private final SnapshotSource source = new SnapshotSource(guard);
    private final BlockingQueue<CatalogSnapshot> snapshots = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() throws InterruptedException {
        source.stop();
    }

    @Test
    void oneDeregistrationAtAThousandServicesRebuildsOneServiceAndSharesTheRest() throws Exception {
        CatalogSnapshot before = fullCatalog();
        long rebuildsBefore = source.rebuilds();
        long evaluatedBefore = guard.namesEvaluated();

        source.instanceRemoved(path("svc-0500", 3));
        CatalogSnapshot after = next();

        assertThat(source.rebuilds() - rebuildsBefore).isEqualTo(1);
        assertThat(guard.namesEvaluated() - evaluatedBefore).isEqualTo(1);
        assertThat(after.discovered().get("svc-0500")).hasSize(INSTANCES - 1);
        assertThat(after.held()).isEmpty();
        for (String name : List.of("svc-0000", "svc-0499", "svc-0501", "svc-0999")) {
            assertThat(after.discovered().get(name)).as(name).isSameAs(before.discovered().get(name));
            assertThat(after.services().get(name)).as(name).isSameAs(before.services().get(name));
        }
        assertThat(before.discovered().get("svc-0500")).as("the previous snapshot is unchanged").hasSize(INSTANCES);
    }

    @Test
    void oneServiceWrittenRebuildsThatServiceOnly() throws Exception {
        CatalogSnapshot before = fullCatalog();
        long rebuildsBefore = source.rebuilds();

        source.serviceChanged("svc-0007", service("svc-0007", "/moved"), "/lbm/catalog/services/svc-0007");
        CatalogSnapshot after = next();

        assertThat(source.rebuilds() - rebuildsBefore).isEqualTo(1);
        assertThat(after.services().get("svc-0007").definition().basePath()).isEqualTo("/moved");
        assertThat(after.services().get("svc-0008")).isSameAs(before.services().get("svc-0008"));
        assertThat(after.discovered()).isSameAs(before.discovered());
    }

    @Test
    void aMassLossSeenOneNodeAtATimeIsStillHeld() throws Exception {
        fullCatalog();

        for (int s = 0; s < 600; s++) {
            for (int i = 0; i < INSTANCES; i++) {
                source.instanceRemoved(path(id(s), i));
            }
        }
        CatalogSnapshot last = awaitSnapshot(snapshot -> snapshot.held().size() == 600);

        assertThat(last.discovered().values().stream().mapToInt(List::size).sum()).isEqualTo(SERVICES * INSTANCES);
        assertThat(last.held().get("svc-0000")).contains("vanished within");
        assertThat(last.discovered().get("svc-0599")).hasSize(INSTANCES);
    }

    @Test
    void perChangeGuardingDecidesExactlyAsGuardingTheWholeDiscovery() {
        DiscoveryGuard whole = new DiscoveryGuard(0.3, 4, 60_000, 5_000);
        DiscoveryGuard perChange = new DiscoveryGuard(0.3, 4, 60_000, 5_000);
        Random random = new Random(3);
        TreeMap<String, List<DiscoveredInstance>> current = new TreeMap<>();
        for (int s = 0; s < 40; s++) {
            current.put("n" + s, instancesOf("n" + s, 1 + random.nextInt(4), random));
        }
        PersistentSortedMap<String, List<DiscoveredInstance>> persistent = PersistentSortedMap.copyOf(current);
        whole.guard(current, 0);
        perChange.guard(persistent, Set.copyOf(current.keySet()), 0);
        int holds = 0;
        for (int step = 1; step <= 2_000; step++) {
            Set<String> changed = new HashSet<>();
            boolean burst = step % 10 == 0;
            int changes = burst ? 3 + random.nextInt(18) : 1 + random.nextInt(2);
            for (int c = 0; c < changes; c++) {
                String name = "n" + random.nextInt(40);
                changed.add(name);
                int count = random.nextInt(burst ? 1 : 5);
                if (count == 0) {
                    current.remove(name);
                    persistent = persistent.minus(name);
                } else {
                    current.put(name, instancesOf(name, count, random));
                    persistent = persistent.plus(name, current.get(name));
                }
            }
            long now = step * 200L;
            if (step == 120) {
                whole.sessionLost(now);
                perChange.sessionLost(now);
            }
            if (step == 130) {
                whole.reconnected(now);
                perChange.reconnected(now);
            }
            DiscoveryGuard.Guarded expected = whole.guard(new TreeMap<>(current), now);
            DiscoveryGuard.Guarded actual = perChange.guard(persistent, changed, now);
            assertThat(actual.view()).as("step %d", step).isEqualTo(expected.view());
            assertThat(actual.held()).as("step %d", step).isEqualTo(expected.held());
            holds += expected.held().isEmpty() ? 0 : 1;
        }
        assertThat(holds).as("the sequence must include holds to compare").isGreaterThan(0);
    }

    @Test
    void perChangeGuardingCountsEachInstanceOnceWhenSharesAreAtTheLimit() {
        DiscoveryGuard perChange = new DiscoveryGuard(0.5, 4, 60_000);
        PersistentSortedMap<String, List<DiscoveredInstance>> before = PersistentSortedMap.<String, List<DiscoveredInstance>>empty()
                .plus("a", instancesOf("a", 3, new Random(0))).plus("b", instancesOf("b", 3, new Random(0)))
                .plus("c", instancesOf("c", 4, new Random(0)));
        int routable = before.values().stream().mapToInt(list -> (int) list.stream().filter(DiscoveredInstance::enabled).count()).sum();
        perChange.guard(before, Set.of("a", "b", "c"), 0);

        DiscoveryGuard.Guarded next = perChange.guard(before.minus("a").minus("b"), Set.of("a", "b"), 1);

        int vanished = routable - (int) before.get("c").stream().filter(DiscoveredInstance::enabled).count();
        assertThat(vanished > 0.5 * routable).as("%d of %d vanished", vanished, routable).isTrue();
        assertThat(next.held()).containsOnlyKeys("a", "b");
        assertThat(next.held().get("a")).contains(vanished + " of " + routable);
    }

    private CatalogSnapshot fullCatalog() throws InterruptedException {
        source.groupAdded("edge");
        for (int s = 0; s < SERVICES; s++) {
            source.serviceChanged(id(s), service(id(s), "/" + id(s)), "/lbm/catalog/services/" + id(s));
            for (int i = 0; i < INSTANCES; i++) {
                source.instanceChanged(path(id(s), i), new DiscoveredInstance(id(s), "i" + i, "10.0." + (s % 250) + "." + (i + 1), 8000 + s, true));
            }
        }
        source.tell((snapshot, change) -> snapshots.add(snapshot));
        source.catalogRead();
        source.discoveryRead();
        return awaitSnapshot(snapshot -> snapshot.discovered().size() == SERVICES);
    }

    private CatalogSnapshot next() throws InterruptedException {
        CatalogSnapshot snapshot = snapshots.poll(10, TimeUnit.SECONDS);
        assertThat(snapshot).as("a snapshot within 10 s").isNotNull();
        return snapshot;
    }

    private CatalogSnapshot awaitSnapshot(java.util.function.Predicate<CatalogSnapshot> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            CatalogSnapshot snapshot = snapshots.poll(1, TimeUnit.SECONDS);
            if (snapshot != null && wanted.test(snapshot) && snapshots.isEmpty()) {
                return snapshot;
            }
        }
        throw new AssertionError("no such snapshot within 20 s; last: " + source.current().discovered().size() + " names");
    }

    /** Mostly enabled instances; one in six disabled (registered, never routed). */
    private static List<DiscoveredInstance> instancesOf(String name, int count, Random random) {
        List<DiscoveredInstance> instances = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            instances.add(new DiscoveredInstance(name, "i" + i, "10.1.0." + (i + 1), 9000, random.nextInt(6) != 0));
        }
        return List.copyOf(instances);
    }

    private static ServiceRecord service(String id, String basePath) {
        return new ServiceRecord(new ServiceDefinition(id, List.of("team"), basePath, List.of("edge"), Map.of(), id), List.of(), "test", 0);
    }

    private static String id(int s) {
        return String.format("svc-%04d", s);
    }

    private static String path(String name, int instance) {
        return "/services/" + name + "/i" + instance;
    }
}
