package io.lbmanager.agent;

import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.render.AgentInclude;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.NginxBundles;
import io.lbmanager.testsupport.NginxWrappers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code nginx -t} and reloads of version directories with the real binary, exactly as the agent runs them. */
class NginxProcessTest {

    @TempDir
    Path root;

    private Path writeVersion(VersionDirectories dirs, long number, ConfigBundle bundle) throws Exception {
        return dirs.write(bundle, new ServedVersion(number, bundle.sha256()),
                AgentInclude.render("127.0.0.1", 1, number, bundle.sha256()));
    }

    @Test
    void validVersionDirectoryPassesTheTest() throws Exception {
        VersionDirectories dirs = new VersionDirectories(root);
        NginxProcess nginx = new NginxProcess(HostAgent.NGINX, dirs);

        NginxProcess.CommandResult result = nginx.test(writeVersion(dirs, 1, NginxBundles.proxyingTo("edge", 9)));

        assertThat(result.succeeded()).as(result.output()).isTrue();
        assertThat(nginx.isAlive()).isFalse();
    }

    @Test
    void rejectedVersionNamesFileAndLineInNginxWords() throws Exception {
        VersionDirectories dirs = new VersionDirectories(root);
        NginxProcess nginx = new NginxProcess(HostAgent.NGINX, dirs);
        Path dir = writeVersion(dirs, 2, NginxBundles.rejectedByNginx("edge"));

        NginxProcess.CommandResult result = nginx.test(dir);

        assertThat(result.succeeded()).isFalse();
        assertThat(result.errorText())
                .startsWith("nginx: [emerg] unknown directive \"bogus_directive\" in " + dir.resolve("nginx.conf") + ":")
                .doesNotContain("test failed");
    }

    @Test
    void reloadSignalsTheRunningMasterWithoutParsingTheConfigInAnotherNginx() throws Exception {
        Path calls = root.resolve("calls.txt");
        VersionDirectories dirs = new VersionDirectories(root.resolve("runtime"));
        NginxProcess nginx = new NginxProcess(NginxWrappers.recordingCalls(root, calls).toString(), dirs);
        int port = Http.freePort();
        VersionProbe probe = new VersionProbe("127.0.0.1", port);
        ConfigBundle one = NginxBundles.proxyingTo("edge", 9);
        ConfigBundle two = NginxBundles.proxyingTo("edge", 10);
        ServedVersion first = new ServedVersion(1, one.sha256());
        ServedVersion second = new ServedVersion(2, two.sha256());
        try {
            dirs.switchLiveTo(dirs.write(one, first, AgentInclude.render("127.0.0.1", port, 1, one.sha256())));
            nginx.start();
            assertThat(probe.awaitVersion(first, Duration.ofSeconds(10))).isTrue();
            dirs.switchLiveTo(dirs.write(two, second, AgentInclude.render("127.0.0.1", port, 2, two.sha256())));

            NginxProcess.CommandResult reload = nginx.reload(second);

            assertThat(reload.succeeded()).as(reload.output()).isTrue();
            assertThat(probe.awaitVersion(second, Duration.ofSeconds(10))).isTrue();
            assertThat(nginx.reloadRefusal(second)).isEmpty();
            assertThat(Files.readAllLines(calls)).hasSize(1).allMatch(line -> !line.contains("-s") && !line.contains("-t"));
        } finally {
            nginx.stop();
        }
    }

    @Test
    void masterThatCannotLoadTheNewConfigKeepsServingTheOldOneAndSaysWhy() throws Exception {
        VersionDirectories dirs = new VersionDirectories(root);
        NginxProcess nginx = new NginxProcess(HostAgent.NGINX, dirs);
        int port = Http.freePort();
        VersionProbe probe = new VersionProbe("127.0.0.1", port);
        ConfigBundle good = NginxBundles.proxyingTo("edge", 9);
        ConfigBundle bad = NginxBundles.rejectedByNginx("edge");
        ServedVersion first = new ServedVersion(1, good.sha256());
        try {
            dirs.switchLiveTo(dirs.write(good, first, AgentInclude.render("127.0.0.1", port, 1, good.sha256())));
            nginx.start();
            assertThat(probe.awaitVersion(first, Duration.ofSeconds(10))).isTrue();
            ServedVersion second = new ServedVersion(2, bad.sha256());
            dirs.switchLiveTo(dirs.write(bad, second, AgentInclude.render("127.0.0.1", port, 2, bad.sha256())));

            assertThat(nginx.reload(second).succeeded()).isTrue();

            Await.await("the master's refusal", Duration.ofSeconds(20), () -> nginx.reloadRefusal(second).isPresent());
            assertThat(nginx.reloadRefusal(second).get())
                    .startsWith("nginx: [emerg] unknown directive \"bogus_directive\" in " + dirs.live().resolve("nginx.conf") + ":");
            assertThat(nginx.isAlive()).isTrue();
            assertThat(probe.servedVersion()).contains(first);
        } finally {
            nginx.stop();
        }
    }

    @Test
    void reloadWithoutARunningMasterFailsSayingSo() {
        NginxProcess nginx = new NginxProcess(HostAgent.NGINX, new VersionDirectories(root));

        NginxProcess.CommandResult reload = nginx.reload(new ServedVersion(2, "x"));

        assertThat(reload.succeeded()).isFalse();
        assertThat(reload.errorText()).contains("not running");
    }
}
