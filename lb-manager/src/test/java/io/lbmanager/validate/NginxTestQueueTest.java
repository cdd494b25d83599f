package io.lbmanager.validate;

import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.testsupport.Await;
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

    private static final Upstream BACKEND = new Upstream("127.0.0.1", 9001);
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
    void callersThatWaitTogetherAreCheckedTogetherInOneRun() throws Exception {
        NginxTestQueue queue = new NginxTestQueue(held(), 1, 10, Duration.ofSeconds(30), Duration.ZERO);
        ConfigBundle validated = bundle("a", "b", "c", "d");
        Future<ValidationResult> first = callers.submit(() -> queue.validate(scope("first")));
        awaitRuns(1);
        List<Future<ValidationResult>> waiting = new ArrayList<>();
        for (String changed : List.of("b", "c", "d")) {
            waiting.add(callers.submit(() -> queue.validate(ValidationScope.changedSince(withTimeout(validated, changed), validated))));
        }
        Await.await("three callers waiting", Duration.ofSeconds(20), () -> queue.waiting() == 3);

        Files.delete(NginxWrappers.holdFile(dir));

        assertThat(first.get()).isEqualTo(new ValidationResult.Valid());
        for (Future<ValidationResult> answer : waiting) {
            assertThat(answer.get()).isEqualTo(new ValidationResult.Valid());
        }
        List<String> runs = Files.readAllLines(NginxWrappers.runsLog(dir));
        assertThat(runs).hasSize(2);
        assertThat(runs.get(1)).contains("b.conf", "c.conf", "d.conf").doesNotContain("a.conf");
    }

    @Test
    void aBatchNginxRefusesIsCheckedAgainOneByOneSoEachGetsItsOwnVerdict() throws Exception {
        NginxTestQueue queue = new NginxTestQueue(held(), 1, 10, Duration.ofSeconds(30), Duration.ZERO);
        ConfigBundle validated = bundle("a", "b", "c");
        Future<ValidationResult> first = callers.submit(() -> queue.validate(scope("first")));
        awaitRuns(1);
        Future<ValidationResult> good = callers.submit(() -> queue.validate(ValidationScope.changedSince(withTimeout(validated, "b"), validated)));
        ConfigBundle ghost = renderedGroup(snapshot(service("a", "/a", Map.of(), BACKEND), service("b", "/b", Map.of(), BACKEND),
                service("c", "/c", Map.of(), BACKEND), service("ghost", "/ghost", Map.of(), new Upstream("nonexistent.invalid", 80))));
        Future<ValidationResult> bad = callers.submit(() -> queue.validate(ValidationScope.changedSince(ghost, validated)));
        Await.await("two callers waiting", Duration.ofSeconds(20), () -> queue.waiting() == 2);

        Files.delete(NginxWrappers.holdFile(dir));

        assertThat(good.get()).isEqualTo(new ValidationResult.Valid());
        assertThat(bad.get()).isInstanceOfSatisfying(ValidationResult.Invalid.class, invalid -> {
            assertThat(invalid.errors()).hasSize(1);
            assertThat(invalid.errors().get(0).file()).isEqualTo("upstreams/ghost.conf");
            assertThat(invalid.errors().get(0).serviceId()).isEqualTo("ghost");
        });
        assertThat(first.get()).isEqualTo(new ValidationResult.Valid());
        assertThat(Files.readAllLines(NginxWrappers.runsLog(dir))).as("first, the batch, then each on its own").hasSize(4);
    }

    @Test
    void checksThatDisagreeOnAFileAreNotBatched() throws Exception {
        NginxTestQueue queue = new NginxTestQueue(held(), 1, 10, Duration.ofSeconds(30), Duration.ZERO);
        ConfigBundle validated = bundle("a", "b");
        Future<ValidationResult> first = callers.submit(() -> queue.validate(scope("first")));
        awaitRuns(1);
        Future<ValidationResult> one = callers.submit(() -> queue.validate(ValidationScope.changedSince(withTimeout(validated, "b"), validated)));
        Await.await("one caller waiting", Duration.ofSeconds(20), () -> queue.waiting() == 1);
        ConfigBundle otherB = renderedGroup(snapshot(service("a", "/a", Map.of(), BACKEND),
                service("b", "/b", Map.of("proxyReadTimeoutMs", 777), BACKEND)));
        Future<ValidationResult> other = callers.submit(() -> queue.validate(ValidationScope.changedSince(otherB, validated)));
        Await.await("two callers waiting", Duration.ofSeconds(20), () -> queue.waiting() == 2);

        Files.delete(NginxWrappers.holdFile(dir));

        assertThat(first.get()).isEqualTo(new ValidationResult.Valid());
        assertThat(one.get()).isEqualTo(new ValidationResult.Valid());
        assertThat(other.get()).isEqualTo(new ValidationResult.Valid());
        assertThat(Files.readAllLines(NginxWrappers.runsLog(dir))).hasSize(3);
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
        // the wrapper notes each run in the test's directory: outside the jail by design
        return new NginxValidator(NginxWrappers.heldWhileHoldFileExists(dir).toString(), Duration.ofSeconds(90),
                NginxValidator.defaultSandboxParent(), new NginxJail.Unjailed());
    }

    private static ValidationScope scope(String serviceId) {
        ConfigBundle bundle = renderedGroup(snapshot(service(serviceId, "/" + serviceId, Map.of(), BACKEND)));
        return ValidationScope.everything(bundle, "test");
    }

    private static ConfigBundle bundle(String... serviceIds) {
        return renderedGroup(snapshot(java.util.Arrays.stream(serviceIds).map(id -> service(id, "/" + id, Map.of(), BACKEND))
                .toArray(ServiceRecord[]::new)));
    }

    /** {@code validated} with {@code serviceId}'s read timeout changed: a change to that service alone. */
    private static ConfigBundle withTimeout(ConfigBundle validated, String serviceId) {
        List<ServiceRecord> services = new ArrayList<>();
        for (String name : validated.files().keySet()) {
            String id = NginxErrors.serviceOf(name);
            if (id != null && name.startsWith("locations/")) {
                services.add(service(id, "/" + id, id.equals(serviceId) ? Map.of("proxyReadTimeoutMs", 1234) : Map.of(), BACKEND));
            }
        }
        return renderedGroup(snapshot(services.toArray(ServiceRecord[]::new)));
    }

    private void awaitRuns(int runs) throws Exception {
        Await.await(runs + " nginx -t run(s) started", Duration.ofSeconds(20), () ->
                Files.exists(NginxWrappers.runsLog(dir)) && Files.readAllLines(NginxWrappers.runsLog(dir)).size() >= runs);
    }
}
