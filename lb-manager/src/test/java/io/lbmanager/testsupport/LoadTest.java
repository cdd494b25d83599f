package io.lbmanager.testsupport;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LoadTest {

    @Test
    void countsEveryRequestPerTargetAndStopsAtItsRequestBudget() throws Exception {
        try (TinyBackend a = TinyBackend.answering("a\n"); TinyBackend b = TinyBackend.answering("b\n")) {
            Load load = Load.toPorts(() -> List.of(a.port(), b.port())).path("/x").maxRequests(40).maxTime(Duration.ofSeconds(30))
                    .start();
            Await.await("40 requests sent", Duration.ofSeconds(30), load::sent, sent -> sent >= 40);
            load.stop();

            assertThat(load.sent()).isEqualTo(40);
            assertThat(load.failed()).as("failures: %s", load.firstFailures()).isZero();
            assertThat(load.latenciesMillis()).hasSize(40);
            assertThat(load.perTarget()).containsOnlyKeys("port " + a.port(), "port " + b.port());
            assertThat(load.perTarget().values()).allSatisfy(counts -> assertThat(counts.sent()).isEqualTo(20));
        }
    }

    @Test
    void anUnexpectedBodyOrANonAnsweringPortIsAFailureNamingItsTarget() throws Exception {
        int closed = Http.freePort();
        try (TinyBackend a = TinyBackend.answering("a\n")) {
            Load load = Load.to(() -> List.of(new Load.Target(a.port(), "backend-a"), new Load.Target(closed, "nobody")))
                    .expectBody("b\n").maxRequests(6).maxTime(Duration.ofSeconds(30)).start();
            Await.await("6 requests sent", Duration.ofSeconds(30), load::sent, sent -> sent >= 6);
            load.stop();

            assertThat(load.failed()).isEqualTo(6);
            assertThat(load.perTarget().get("backend-a")).isEqualTo(new Load.TargetCounts(3, 3));
            assertThat(load.firstFailures()).anyMatch(f -> f.startsWith("backend-a: 200 a"))
                    .anyMatch(f -> f.startsWith("nobody: -1 "));
        }
    }

    @Test
    void stopsAtItsTimeBudgetWithoutTargets() throws Exception {
        Load load = Load.toPorts(List::of).maxTime(Duration.ofMillis(200)).start();
        Thread.sleep(400);
        assertThat(load.stop().sent()).isZero();
    }
}
