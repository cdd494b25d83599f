package io.lbmanager.agent;

import io.lbmanager.contract.AgentState;
import io.lbmanager.signing.SigningKeys;
import io.lbmanager.signing.VersionSigner;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.BundlePublisher;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.NginxBundles;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An agent (real nginx of this host) started while ZooKeeper (a real server, stopped and restarted
 * on its port) does not answer: it serves its last good, signed version from disk and catches up
 * when ZooKeeper returns; with nothing on disk it says so and takes no traffic.
 */
class AgentWithoutZooKeeperOnHostTest {

    private static final String GROUP = "edge";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final KeyPair MANAGER_KEY = SigningKeys.generate();

    @TempDir
    Path runtimeDir;
    @RegisterExtension
    final ZooKeeperExtension zk = ZooKeeperExtension.perTest();

    private final ZkLayout layout = new ZkLayout("/lbm-disk");
    private final VersionSigner signer = new VersionSigner(MANAGER_KEY.getPrivate());
    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private BundlePublisher publisher;
    private TinyBackend backendA;
    private TinyBackend backendB;

    @BeforeEach
    void startBackends() throws Exception {
        publisher = new BundlePublisher(zk.curator(), layout);
        backendA = TinyBackend.answering("A");
        backendB = TinyBackend.answering("B");
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable closeable : closeLast) {
            closeable.close();
        }
        backendA.close();
        backendB.close();
    }

    private HostAgent start(Path dir) throws Exception {
        HostAgent agent = HostAgent.startTrusting(zk.connectString(), layout.root(), GROUP, "a1", dir, HostAgent.NGINX, null,
                SigningKeys.publicKeyPem(MANAGER_KEY.getPublic()));
        closeLast.add(0, agent);
        return agent;
    }

    private HostAgent restart(HostAgent before) throws Exception {
        before.close();
        closeLast.remove(before);
        HostAgent again = HostAgent.startWith(before.settings);
        closeLast.add(0, again);
        return again;
    }

    private HostAgent servingSignedVersion1() throws Exception {
        publisher.publishSigned(1, NginxBundles.proxyingTo(GROUP, backendA.port()), signer);
        HostAgent agent = start(runtimeDir);
        Await.await("version 1 served", WAIT, () -> agent.agent.status(),
                status -> status.state() == AgentState.READY && status.runningVersion() == 1);
        return agent;
    }

    @Test
    void restartedWhileZooKeeperIsDownItServesItsLastSignedVersionFromDiskThenCatchesUp() throws Exception {
        HostAgent agent = servingSignedVersion1();

        zk.stop();
        HostAgent restarted = restart(agent);

        Await.await("nginx answering from disk", WAIT, () -> Http.tryGet(restarted.trafficPort(), "/"),
                reply -> reply.status() == 200 && reply.body().equals("A"));
        Http.Response ready = Await.await("ready from disk", WAIT, () -> Http.tryGet(restarted.adminPort(), "/ready"),
                reply -> reply.status() == 200);
        assertThat(ready.body()).contains("version 1 from disk");
        // The agent reports its status right after Nginx took the version: /ready may answer a moment earlier.
        Await.await("status says from disk", WAIT, () -> restarted.agent.status().error(),
                error -> error != null && error.contains("from disk"));
        for (int i = 0; i < 50; i++) {
            assertThat(Http.tryGet(restarted.trafficPort(), "/").body()).isEqualTo("A");
        }

        zk.restart();
        publisher.publishSigned(2, NginxBundles.proxyingTo(GROUP, backendB.port()), signer);
        Await.await("caught up with version 2 once ZooKeeper answers", WAIT, () -> restarted.agent.status(),
                status -> status.state() == AgentState.READY && status.runningVersion() == 2 && status.error() == null);
        assertThat(Http.tryGet(restarted.trafficPort(), "/").body()).isEqualTo("B");
        assertThat(Http.tryGet(restarted.adminPort(), "/ready").body()).doesNotContain("from disk");
    }

    @Test
    void aVersionOnDiskWhoseSignatureNoLongerMatchesIsNotServed() throws Exception {
        HostAgent agent = servingSignedVersion1();
        Path stored = runtimeDir.resolve("last-good/version.json");
        String json = Files.readString(stored, StandardCharsets.UTF_8);
        assertThat(json).contains("\"version\":1");
        Files.writeString(stored, json.replace("\"version\":1", "\"version\":7"), StandardCharsets.UTF_8);

        zk.stop();
        HostAgent restarted = restart(agent);

        Await.await("/ready refuses", WAIT, () -> Http.tryGet(restarted.adminPort(), "/ready"),
                reply -> reply.status() == 503 && reply.body().contains("ZooKeeper"));
        Thread.sleep(4_000); // past the agent's wait for ZooKeeper: it has decided what to serve
        assertThat(Http.tryGet(restarted.trafficPort(), "/").status()).as("nothing listens on the traffic port").isEqualTo(-1);
        assertThat(restarted.agent.status().runningVersion()).isZero();
    }

    @Test
    void aNewAgentWithNothingOnDiskAndNoZooKeeperSaysSoAndTakesNoTrafficUntilItHasAVersion() throws Exception {
        zk.stop();
        HostAgent agent = start(runtimeDir.resolve("fresh"));

        Thread.sleep(4_000); // past the agent's wait for ZooKeeper
        Http.Response ready = Http.tryGet(agent.adminPort(), "/ready");
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.body()).contains("no config version to serve", "ZooKeeper at " + zk.connectString() + " does not answer",
                "takes no traffic");
        assertThat(Http.tryGet(agent.trafficPort(), "/").status()).as("nothing listens on the traffic port").isEqualTo(-1);

        zk.restart();
        publisher.publishSigned(1, NginxBundles.proxyingTo(GROUP, backendA.port()), signer);
        Await.await("ready with version 1 once ZooKeeper answers", WAIT, () -> Http.tryGet(agent.adminPort(), "/ready"),
                reply -> reply.status() == 200);
        assertThat(Http.tryGet(agent.trafficPort(), "/").body()).isEqualTo("A");
    }
}
