package io.lbmanager.agent;

import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.render.AgentInclude;
import io.lbmanager.render.ConfigBundle;
import io.lbmanager.testsupport.NginxBundles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code nginx -t} of version directories with the real binary, exactly as the agent runs it. */
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
}
