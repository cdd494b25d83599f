package io.lbmanager.snapshot;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PersistentSortedMapTest {

    @Test
    void changedKeysAreTheKeysWhoseValueIsAnotherObjectOrThatOneMapLacks() {
        Random random = new Random(7);
        PersistentSortedMap<String, Object> map = PersistentSortedMap.empty();
        for (int i = 0; i < 5_000; i++) {
            map = map.plus("k" + i, new Object());
        }
        for (int round = 0; round < 300; round++) {
            PersistentSortedMap<String, Object> earlier = map;
            int changes = round % 10 == 0 ? random.nextInt(300) : 1 + random.nextInt(4);
            for (int c = 0; c < changes; c++) {
                String key = "k" + random.nextInt(6_000);
                map = random.nextInt(3) == 0 ? map.minus(key) : map.plus(key, new Object());
            }
            List<String> reported = new ArrayList<>();
            map.forEachChangedKey(earlier, reported::add);
            assertThat(reported).as("round " + round).containsExactlyElementsOf(changedByLookup(earlier, map));
        }
        List<String> againstACopy = new ArrayList<>();
        map.forEachChangedKey(PersistentSortedMap.copyOf(new TreeMap<>(map)), againstACopy::add);
        assertThat(againstACopy).as("a copy shares no subtree but every value").isEmpty();
        List<String> againstEmpty = new ArrayList<>();
        map.forEachChangedKey(PersistentSortedMap.empty(), againstEmpty::add);
        assertThat(againstEmpty).containsExactlyElementsOf(map.keySet());
    }

    @Test
    void oneChangeInFiftyThousandKeysOpensAFewSubtreesNotTheMap() {
        PersistentSortedMap<String, Object> map = PersistentSortedMap.empty();
        for (int i = 0; i < 50_000; i++) {
            map = map.plus(String.format("service-%05d", i), new Object());
        }
        PersistentSortedMap<String, Object> added = map.plus("service-12345-new", new Object());
        PersistentSortedMap<String, Object> removed = map.minus("service-40000");

        List<String> changed = new ArrayList<>();
        int openedAdding = added.forEachChangedKey(map, changed::add);
        int openedRemoving = removed.forEachChangedKey(map, changed::add);

        assertThat(changed).containsExactly("service-12345-new", "service-40000");
        assertThat(openedAdding).as("subtrees opened for one key added").isLessThan(100);
        assertThat(openedRemoving).as("subtrees opened for one key removed").isLessThan(100);
    }

    private static List<String> changedByLookup(Map<String, Object> earlier, Map<String, Object> later) {
        TreeMap<String, Boolean> keys = new TreeMap<>();
        earlier.keySet().forEach(k -> keys.put(k, true));
        later.keySet().forEach(k -> keys.put(k, true));
        return keys.keySet().stream().filter(k -> earlier.get(k) != later.get(k)).toList();
    }

    @Test
    void everyVersionEqualsATreeMapGivenTheSameChangesAndOldVersionsStayAsTheyWere() {
        Random random = new Random(42);
        TreeMap<String, Integer> expected = new TreeMap<>();
        PersistentSortedMap<String, Integer> map = PersistentSortedMap.empty();
        List<PersistentSortedMap<String, Integer>> versions = new ArrayList<>();
        List<TreeMap<String, Integer>> expectedVersions = new ArrayList<>();
        for (int step = 0; step < 5_000; step++) {
            String key = "k" + random.nextInt(700);
            if (random.nextInt(3) == 0) {
                expected.remove(key);
                map = map.minus(key);
            } else {
                int value = random.nextInt(10);
                expected.put(key, value);
                map = map.plus(key, value);
            }
            if (step % 500 == 0) {
                versions.add(map);
                expectedVersions.add(new TreeMap<>(expected));
            }
        }
        assertThat(map).isEqualTo(expected);
        assertThat(new ArrayList<>(map.keySet())).containsExactlyElementsOf(expected.keySet());
        assertThat(map.firstKey()).isEqualTo(expected.firstKey());
        assertThat(map.lastKey()).isEqualTo(expected.lastKey());
        assertThat(map.headMap("k5")).isEqualTo(expected.headMap("k5"));
        for (int i = 0; i < versions.size(); i++) {
            assertThat(versions.get(i)).as("version %d", i).isEqualTo(expectedVersions.get(i));
        }
    }

    @Test
    void aChangeSharesTheRestAndAnUnchangedValueReturnsTheSameMap() {
        TreeMap<String, String> sorted = new TreeMap<>();
        for (int i = 0; i < 1_000; i++) {
            sorted.put(String.format("s%04d", i), "v" + i);
        }
        PersistentSortedMap<String, String> map = PersistentSortedMap.copyOf(sorted);
        String value = map.get("s0500");

        assertThat(map.plus("s0500", value)).isSameAs(map);
        assertThat(map.minus("absent")).isSameAs(map);
        assertThat(map.plus("s0500", "changed").get("s0500")).isEqualTo("changed");
        assertThat(map.get("s0500")).isEqualTo(value);
        assertThat(map.minus("s0001")).hasSize(999).doesNotContainKey("s0001");
    }

    @Test
    void itCannotBeChangedInPlace() {
        PersistentSortedMap<String, String> map = PersistentSortedMap.<String, String>empty().plus("a", "1");

        assertThatThrownBy(() -> map.put("b", "2")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> map.remove("a")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> map.keySet().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> map.entrySet().iterator().next().setValue("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(map).isEqualTo(Map.of("a", "1"));
    }
}
