package io.lbmanager.hibernation;

import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.snapshot.CatalogSnapshot;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static io.lbmanager.render.Fixtures.service;
import static io.lbmanager.render.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

/** The services with a hibernation option, kept change by change, are those a walk over the whole catalog finds. */
class HibernationCandidatesTest {

    private static final Map<String, Object> HIBERNATES = Map.of("hibernation",
            Map.of("scheduler", "docker", "handle", "shop", "idleSeconds", 60));

    @Test
    void candidatesKeptPerChangeAreTheServicesWithTheOptionAndEveryLossIsTold() {
        Random random = new Random(14);
        HibernationCandidates candidates = new HibernationCandidates();
        CatalogSnapshot snapshot = snapshot(service("seed", "/seed", HIBERNATES));
        Set<String> before = Set.of();
        int losses = 0;
        for (int step = 0; step < 400; step++) {
            int changes = 1 + random.nextInt(3);
            for (int change = 0; change < changes; change++) {
                String id = "svc" + random.nextInt(60);
                int action = random.nextInt(10);
                snapshot = action < 4 ? snapshot.withService(service(id, "/" + id, HIBERNATES))
                        : action < 7 ? snapshot.withService(service(id, "/" + id, Map.of("maxFails", 2)))
                        : snapshot.withoutService(id);
            }
            List<String> dropped = new ArrayList<>();

            Set<String> kept = new TreeSet<>(candidates.in(snapshot, dropped::add));

            Set<String> whole = withTheOption(snapshot);
            assertThat(kept).as("step " + step).isEqualTo(whole);
            Set<String> lost = new TreeSet<>(before);
            lost.removeAll(whole);
            assertThat(new TreeSet<>(dropped)).as("dropped at step " + step).isEqualTo(lost);
            losses += lost.size();
            before = whole;
        }
        assertThat(losses).as("losses seen, so the test checks them").isGreaterThan(50);
    }

    private static Set<String> withTheOption(CatalogSnapshot snapshot) {
        return snapshot.services().values().stream()
                .filter(service -> HibernationSetting.of(service.definition().options()).isPresent())
                .map(ServiceRecord::id).collect(Collectors.toCollection(TreeSet::new));
    }
}
