package io.lbmanager.fleet;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** What of a task's output may go into an upgrade's reason, and how crashed tasks are restarted. */
class TaskOutputTest {

    @Test
    void escapeSequencesAndControlCharactersAreStrippedAndOnlyTheLastLinesKept() {
        String raw = "one\ntwo\nthree\n\u001B[31mred alert\u001B[0m\r\nbell\u0007 and\u0000 nul\n\n   \nfive\nsix\u001B]0;title\u0007\n";

        assertThat(TaskOutput.lastLines(raw)).containsExactly("three", "red alert", "bell and nul", "five", "six");
    }

    @Test
    void longLinesAreCut() {
        String line = "x".repeat(1000);

        assertThat(TaskOutput.lastLines(line)).singleElement()
                .satisfies(kept -> assertThat(kept).hasSize(TaskOutput.MAX_LINE_CHARS + 3).endsWith("..."));
        assertThat(TaskOutput.lastLines(null)).isEmpty();
    }

    @Test
    void aStatusMessageIsOneSanitizedLineOfBoundedLength() {
        assertThat(TaskOutput.oneLine("Failed to launch container:\n\u001B[1mNo such image\u0000: x")).isEqualTo(
                "Failed to launch container: No such image: x");
        assertThat(TaskOutput.oneLine("y".repeat(2000))).hasSize(TaskOutput.MAX_MESSAGE_CHARS + 3);
        assertThat(TaskOutput.oneLine(null)).isEmpty();
    }

    @Test
    void aFailureReadsAsOneLine() {
        TaskFailure failure = new TaskFailure("t1", "exited with status 3", TaskOutput.lastLines("a\nbroken nginx image\n"), 0);

        assertThat(failure.describe()).isEqualTo("task t1 exited with status 3; last output: a | broken nginx image");
    }

    @Test
    void restartsOfACrashingGenerationBackOffExponentiallyUpToTheCap() {
        CrashBackoff backoff = new CrashBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10));
        assertThat(backoff.mayStart("g1", 0)).isTrue();

        assertThat(backoff.failed("g1", 1_000)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.mayStart("g1", 1_999)).isFalse();
        assertThat(backoff.mayStart("g1", 2_000)).isTrue();
        assertThat(backoff.failed("g1", 2_000)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.failed("g1", 4_000)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.failed("g1", 8_000)).isEqualTo(Duration.ofSeconds(8));
        assertThat(backoff.failed("g1", 16_000)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.failed("g1", 26_000)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.mayStart("g2", 26_000)).as("another generation").isTrue();

        backoff.reset("g1");
        assertThat(backoff.mayStart("g1", 26_000)).isTrue();
    }
}
