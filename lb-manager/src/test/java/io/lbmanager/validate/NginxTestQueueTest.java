package io.lbmanager.validate;

import io.lbmanager.catalog.Upstream;
import io.lbmanager.render.ConfigBundle;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.NginxWrappers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.lbmanager.render.Fixtures.renderedGroup;
import static io.lbmanager.render.Fixtures.service;
import static io.lbmanager.render.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NginxTestQueueTest {

    @TempDir
    Path dir;
    private final ExecutorService callers = Executors.newFixedThreadPool(8);

    @BeforeEach
    void holdEveryCheck() throws Exception {
        Files.writeString(NginxWrappers.holdFile(dir), "");
    }

    @AfterEach
    void stop() throws Exception {
        Files.deleteIfExists(NginxWrappers.holdFile(dir));
        callers.shutdownNow();
    }

    @Test
    void callersBeyondTheSlotsAndAFullQueueAreRefusedAtOnceNamingTheOverload() throws Exception {
        NginxTestQueue queue = new NginxTestQueue(held(), 1, 0, Duration.ofSeconds(30), Duration.ZERO);
        Future<ValidationResult> first = callers.submit(() -> queue.validate(scope("a")));
        awaitRuns(1);

        assertThatThrownBy(() -> queue.validate(scope("b")))
                .isInstanceOfSatisfying(ValidationOverloadedException.class, e -> {
                    assertThat(e.getMessage()).contains("overloaded", "1 nginx -t run(s) in progress");
                    assertThat(e.retryAfterSeconds()).isPositive();
                });

        Files.delete(NginxWrappers.holdFile(dir));
        assertThat(first.get()).isEqualTo(new ValidationResult.Valid());
    }

    @Test
    void callerThatWaitsLongerThanTheBoundIsRefused() throws Exception {
        NginxTestQueue queue = new NginxTestQueue(held(), 1, 5, Duration.ofMillis(200), Duration.ZERO);
        callers.submit(() -> queue.validate(scope("a")));
        awaitRuns(1);

        assertThatThrownBy(() -> queue.validate(scope("b")))
                .isInstanceOf(ValidationOverloadedException.class)
                .hasMessageContaining("no nginx -t slot (of 1) came free within 200ms");
    }

    @Test
    void waitingCallersGetTheirTurnWhenASlotFrees() throws Exception {
        NginxTestQueue queue = new NginxTestQueue(held(), 1, 5, Duration.ofSeconds(30), Duration.ZERO);
        Future<ValidationResult> first = callers.submit(() -> queue.validate(scope("a")));
        awaitRuns(1);
        Future<ValidationResult> second = callers.submit(() -> queue.validate(scope("b")));

        Files.delete(NginxWrappers.holdFile(dir));

        assertThat(first.get()).isEqualTo(new ValidationResult.Valid());
        assertThat(second.get()).isEqualTo(new ValidationResult.Valid());
        assertThat(Files.readAllLines(NginxWrappers.runsLog(dir))).hasSize(2);
    }

    @Test
    void callersAskingAboutIdenticalFilesShareOneRun() throws Exception {
        NginxTestQueue queue = new NginxTestQueue(held(), 1, 0, Duration.ofSeconds(30), Duration.ofMinutes(1));
        List<Future<ValidationResult>> answers = new ArrayList<>();
        answers.add(callers.submit(() -> queue.validate(scope("same"))));
        awaitRuns(1);
        for (int i = 0; i < 5; i++) {
            answers.add(callers.submit(() -> queue.validate(scope("same"))));
        }

        Files.delete(NginxWrappers.holdFile(dir));

        for (Future<ValidationResult> answer : answers) {
            assertThat(answer.get()).isEqualTo(new ValidationResult.Valid());
        }
        assertThat(Files.readAllLines(NginxWrappers.runsLog(dir))).hasSize(1);
    }

    @Test
    void aVerdictIsNotReusedAfterItsTime() throws Exception {
        Files.delete(NginxWrappers.holdFile(dir));
        NginxTestQueue queue = new NginxTestQueue(held(), 1, 0, Duration.ofSeconds(30), Duration.ZERO);

        queue.validate(scope("same"));
        queue.validate(scope("same"));

        assertThat(Files.readAllLines(NginxWrappers.runsLog(dir))).hasSize(2);
    }

    private NginxValidator held() throws Exception {
        return new NginxValidator(NginxWrappers.heldWhileHoldFileExists(dir).toString(), Duration.ofSeconds(90));
    }

    private static ValidationScope scope(String serviceId) {
        ConfigBundle bundle = renderedGroup(snapshot(service(serviceId, "/" + serviceId, Map.of(), new Upstream("127.0.0.1", 9001))));
        return ValidationScope.everything(bundle, "test");
    }

    private void awaitRuns(int runs) throws Exception {
        ManagerUnderTest.await(runs + " nginx -t run(s) started", Duration.ofSeconds(20), () ->
                Files.exists(NginxWrappers.runsLog(dir)) && Files.readAllLines(NginxWrappers.runsLog(dir)).size() >= runs);
    }
}
