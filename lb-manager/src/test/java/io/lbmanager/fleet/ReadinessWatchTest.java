package io.lbmanager.fleet;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** When a new task's failing readiness probe counts as a task failure. */
class ReadinessWatchTest {

    private final NginxTask task = new NginxTask("t1", "edge", "127.0.0.1", 31001, 31002, "nginx:2", true, "u1");
    private final TaskHealth health = new TaskHealth() {
        @Override
        public boolean ready(NginxTask probed) {
            return false;
        }

        @Override
        public String notReadyReason(NginxTask probed) {
            return "/ready answered 503 nginx does not answer";
        }

        @Override
        public int throughTraffic(NginxTask probed, String path) {
            return -1;
        }
    };
    private final ReadinessWatch watch = new ReadinessWatch();

    @Test
    void aTaskStillStartingIsNoFailureHoweverLongItTakes() {
        for (int probe = 0; probe < 20; probe++) {
            assertThat(watch.observe(task, false, health, probe)).isEmpty();
        }
    }

    @Test
    void aTaskThatWasReadyAndFailsThreeProbesInARowIsOneFailurePerDrop() {
        List<Optional<TaskFailure>> seen = new ArrayList<>();
        watch.observe(task, true, health, 0);
        for (int probe = 1; probe <= 6; probe++) {
            seen.add(watch.observe(task, false, health, probe));
        }
        watch.observe(task, true, health, 7);
        watch.observe(task, false, health, 8);
        watch.observe(task, false, health, 9);
        Optional<TaskFailure> secondDrop = watch.observe(task, false, health, 10);

        assertThat(seen).filteredOn(Optional::isPresent).hasSize(1);
        assertThat(seen.get(ReadinessWatch.MISSES_IN_A_ROW - 1)).hasValueSatisfying(failure -> assertThat(failure.describe())
                .isEqualTo("task t1 stopped being ready: failed its readiness probe 3 times in a row "
                        + "(/ready answered 503 nginx does not answer)"));
        assertThat(secondDrop).isPresent();
    }

    @Test
    void aProbeThatPassesInBetweenStartsTheCountOver() {
        watch.observe(task, true, health, 0);
        watch.observe(task, false, health, 1);
        watch.observe(task, false, health, 2);
        watch.observe(task, true, health, 3);
        watch.observe(task, false, health, 4);

        assertThat(watch.observe(task, false, health, 5)).isEmpty();
    }
}
