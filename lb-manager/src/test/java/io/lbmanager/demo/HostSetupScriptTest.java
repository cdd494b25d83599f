package io.lbmanager.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * scripts/host-setup.sh's Docker engine decisions (shared by demo.sh and .ci/run), with stand-in
 * {@code docker}, {@code dockerd}, {@code pgrep} and {@code systemctl} first on PATH: the real engine
 * of this machine is never asked, started or stopped. The stand-in docker answers once the
 * stand-in dockerd has started (or when the test says so).
 */
class HostSetupScriptTest {

    private static final Path SCRIPT = Path.of("").toAbsolutePath().getParent().resolve("scripts/host-setup.sh");

    @TempDir
    Path dir;

    record Run(int exit, String output) {
    }

    @Test
    void anAnsweringEngineIsReusedAndNothingIsStarted() throws Exception {
        Files.createFile(dir.resolve("up"));
        Run run = run("host_ensure_docker; host_stop_what_we_started");
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("reusing the running Docker engine").doesNotContain("starting dockerd");
        assertThat(dir.resolve("dockerd-started")).doesNotExist();
    }

    @Test
    void aRunningButSilentDockerdIsWaitedForAndNeverDoubled() throws Exception {
        Files.createFile(dir.resolve("pgrep-finds-dockerd"));
        Run run = run("host_ensure_docker");
        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains("a dockerd is running (pid 4242)").contains("not starting a second one");
        assertThat(dir.resolve("dockerd-started")).doesNotExist();
    }

    @Test
    void withNoEngineItStartsOneRemovesTheStaleSocketAndStopsOnlyThatOne() throws Exception {
        Path stalePid = Files.writeString(Files.createDirectories(dir.resolve("run")).resolve("docker.pid"), "1");
        Run run = run("host_ensure_docker; echo \"started pid $host_dockerd_pid\"; host_stop_what_we_started;"
                + " kill -0 \"$(cat " + dir.resolve("dockerd-started") + ")\" 2>/dev/null && echo STILL-RUNNING || echo GONE");
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("removing the stale").contains("starting dockerd").contains("is up")
                .contains("stopping the dockerd this run started").contains("GONE").doesNotContain("STILL-RUNNING");
        assertThat(dir.resolve("dockerd-started")).exists();
        assertThat(stalePid).doesNotExist();
    }

    @Test
    void aRemoteDockerHostThatDoesNotAnswerIsNeverReplacedByALocalOne() throws Exception {
        Run run = run("DOCKER_HOST=tcp://127.0.0.1:1; host_ensure_docker");
        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains("DOCKER_HOST=tcp://127.0.0.1:1 does not answer; not starting a local dockerd");
        assertThat(dir.resolve("dockerd-started")).doesNotExist();
    }

    private Run run(String body) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createDirectories(dir.resolve("run"));
        String state = dir.toString();
        stub(bin, "docker", "case \"$1\" in info|version) [ -f " + state + "/up ] && { echo 20.10.0; exit 0; }; echo 'Cannot connect' >&2; exit 1;; esac; exit 0");
        stub(bin, "dockerd", "echo $$ > " + state + "/dockerd-started; touch " + state + "/up; exec sleep 120");
        stub(bin, "pgrep", "[ -f " + state + "/pgrep-finds-dockerd ] && { echo 4242; exit 0; }; exit 1");
        stub(bin, "systemctl", "exit 1");
        String script = "set -euo pipefail; log() { echo \"log: $*\"; }; die() { echo \"die: $*\" >&2; exit 1; }; . " + SCRIPT + "; " + body;
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true);
        builder.environment().put("PATH", bin + ":/usr/bin:/bin");
        builder.environment().remove("DOCKER_HOST");
        builder.environment().put("LBM_DOCKER_WAIT_SECONDS", "2");
        builder.environment().put("LBM_DOCKER_RUN_DIR", dir.resolve("run").toString());
        builder.environment().put("LBM_DOCKERD_LOG", dir.resolve("dockerd.log").toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    private static void stub(Path bin, String name, String body) throws IOException {
        Path file = bin.resolve(name);
        Files.writeString(file, "#!/bin/bash\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
