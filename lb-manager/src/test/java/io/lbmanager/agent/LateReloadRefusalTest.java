package io.lbmanager.agent;

import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.NginxBundles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reload the agent stopped waiting for, whose [emerg] comes only while the next version reloads,
 * with the real nginx. The slow version reads a FIFO, so its cycle lasts until the test writes it.
 */
class LateReloadRefusalTest {

    private static final Duration CONFIRM = Duration.ofSeconds(3);

    @TempDir
    Path root;

    @Test
    void lateEmergIsBlamedOnTheVersionWhoseReloadTimedOutNotOnTheNextOne() throws Exception {
        Path fifo = root.resolve("slow.conf");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        int port = Http.freePort();
        AgentSettings settings = new AgentSettings("127.0.0.1:1", "/lb", "edge", "a1", "127.0.0.1", port,
                Http.freePort(), HostAgent.NGINX, root.resolve("runtime"));
        VersionDirectories dirs = new VersionDirectories(settings.runtimeDir());
        NginxProcess nginx = new NginxProcess(HostAgent.NGINX, dirs);
        List<String> late = new CopyOnWriteArrayList<>();
        nginx.onLateRefusal((version, error) -> late.add(version.version() + " " + error));
        ConfigApplier applier = new ConfigApplier(settings, dirs, nginx, new VersionProbe("127.0.0.1", port), CONFIRM);
        ServedVersion v1 = version(1, NginxBundles.proxyingTo("edge", 9));
        ConfigBundle slowBundle = NginxBundles.refusedAfterReading("edge", fifo);
        ServedVersion v2 = version(2, slowBundle);
        ConfigBundle nextBundle = NginxBundles.proxyingTo("edge", 10);
        ServedVersion v3 = version(3, nextBundle);
        CompletableFuture<ApplyOutcome> third = null;
        try {
            assertThat(applier.apply(NginxBundles.proxyingTo("edge", 9), v1, Optional.empty()))
                    .isInstanceOf(ApplyOutcome.Applied.class);

            ApplyOutcome second = applier.apply(slowBundle, v2, Optional.of(v1));
            assertThat(second).isInstanceOf(ApplyOutcome.TimedOut.class);
            assertThat(((ApplyOutcome.TimedOut) second).stillServing()).contains(v1);

            third = CompletableFuture.supplyAsync(() -> applyUnchecked(applier, nextBundle, v3, v1));
            Await.await("live switched to version 3", Duration.ofSeconds(10),
                    () -> dirs.liveDirectory().map(dir -> dir.getFileName().toString().startsWith("3-")).orElse(false));
            Thread.sleep(500); // its reload signal goes out right after the switch
            assertThat(third).isNotDone(); // the master is still busy with version 2's cycle
            release(fifo); // version 2's cycle goes on to its unknown directive: [emerg]

            ApplyOutcome outcome = third.get(20, TimeUnit.SECONDS);
            assertThat(outcome).as(outcome.toString()).isInstanceOf(ApplyOutcome.Applied.class);
            assertThat(nginx.reloadRefusal(v3)).isEmpty();
            assertThat(nginx.reloadRefusal(v2)).hasValueSatisfying(error -> assertThat(error)
                    .contains("unknown directive \"bogus_slow_directive\""));
            assertThat(late).singleElement().asString().startsWith("2 nginx: [emerg] unknown directive \"bogus_slow_directive\"");
        } finally {
            try {
                if (third != null && !third.isDone()) {
                    release(fifo); // a master stuck on the FIFO could not stop
                }
            } finally {
                nginx.stop();
            }
        }
    }

    /** Opens the FIFO for writing, which lets the master's open of it return; fails rather than hangs when nobody reads it. */
    private static void release(Path fifo) throws Exception {
        CompletableFuture.runAsync(() -> {
            try {
                Files.write(fifo, new byte[0]);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(5, TimeUnit.SECONDS);
    }

    private static ServedVersion version(long number, ConfigBundle bundle) {
        return new ServedVersion(number, bundle.sha256());
    }

    private static ApplyOutcome applyUnchecked(ConfigApplier applier, ConfigBundle bundle, ServedVersion version, ServedVersion current) {
        try {
            return applier.apply(bundle, version, Optional.of(current));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
