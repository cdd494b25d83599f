package io.lbmanager.testsupport;

import io.lbmanager.agent.NginxProcess;
import io.lbmanager.agent.ServedVersion;
import io.lbmanager.agent.VersionDirectories;
import io.lbmanager.agent.VersionProbe;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.peers.NginxPeersEndpoint;
import io.lbmanager.render.AgentInclude;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * This host's real nginx running one rendered bundle the way the agent runs it (version directory,
 * the agent's include, traffic on a free loopback port, the unix socket for {@code /_lbm/*}), without
 * ZooKeeper or an agent: for tests of what a rendered config does with requests.
 */
public final class BundleNginx implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(15);

    private final VersionDirectories dirs;
    private final NginxProcess nginx;
    private final NginxPeersEndpoint endpoint;
    private final int port;

    private BundleNginx(VersionDirectories dirs, NginxProcess nginx, int port) {
        this.dirs = dirs;
        this.nginx = nginx;
        this.port = port;
        this.endpoint = new NginxPeersEndpoint(dirs.peersSocket(), Duration.ofSeconds(10));
    }

    /** Starts nginx on {@code bundle} (which must have dynamic upstreams) under {@code root}; returns once it serves it. */
    public static BundleNginx start(Path root, ConfigBundle bundle) throws IOException, InterruptedException {
        VersionDirectories dirs = new VersionDirectories(root);
        NginxProcess nginx = new NginxProcess(HostAgent.NGINX, dirs);
        int port = Http.freePort();
        ServedVersion version = new ServedVersion(1, bundle.sha256());
        dirs.switchLiveTo(dirs.write(bundle, version,
                AgentInclude.render("127.0.0.1", port, dirs.peersSocket().toString(), version.version(), bundle.sha256())));
        nginx.start();
        BundleNginx running = new BundleNginx(dirs, nginx, port);
        if (!new VersionProbe("127.0.0.1", port).awaitVersion(version, START)) {
            String said = nginx.lastSeriousLine().orElse("no error logged");
            running.close();
            throw new IllegalStateException("nginx did not serve the bundle within " + START.toSeconds() + " s: " + said);
        }
        return running;
    }

    public int port() {
        return port;
    }

    /** {@code /_lbm/peers}, {@code /_lbm/routes} and {@code /_lbm/stats} over the unix socket. */
    public NginxPeersEndpoint endpoint() {
        return endpoint;
    }

    public long masterPid() {
        return nginx.pid().orElseThrow();
    }

    /** The master's worker processes now. */
    public Set<Long> workerPids() {
        return ProcessHandle.of(masterPid()).orElseThrow().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    public Path root() {
        return dirs.root();
    }

    @Override
    public void close() {
        endpoint.close();
        nginx.stop();
    }
}
