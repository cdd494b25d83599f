package io.lbmanager.agent;

import io.lbmanager.contract.AgentState;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.BundleCodec;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.signing.SigningKeys;
import io.lbmanager.signing.VersionSigner;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.BundlePublisher;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.Load;
import io.lbmanager.testsupport.NginxBundles;
import io.lbmanager.testsupport.TinyBackend;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An agent holding the manager's public key, with the real nginx and a real ZooKeeper: it serves
 * signed versions, refuses an unsigned one and one whose node was changed after signing, says why
 * in its status, and Nginx keeps serving the last good version without a failed request.
 */
class SignedVersionsOnHostTest {

    private static final String GROUP = "edge";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final KeyPair MANAGER_KEY = SigningKeys.generate();

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @TempDir
    Path runtimeDir;

    private final ZkLayout layout = new ZkLayout("/lbm-signed");
    private final VersionSigner signer = new VersionSigner(MANAGER_KEY.getPrivate());
    private BundlePublisher publisher;
    private TinyBackend good;
    private TinyBackend evil;
    private HostAgent agent;

    @BeforeEach
    void start() throws Exception {
        ZK.deleteAll(layout.root());
        publisher = new BundlePublisher(ZK.curator(), layout);
        good = TinyBackend.answering("good");
        evil = TinyBackend.answering("evil");
        publisher.publishSigned(1, NginxBundles.proxyingTo(GROUP, good.port()), signer);
        agent = HostAgent.startTrusting(ZK.connectString(), layout.root(), GROUP, "a1", runtimeDir, HostAgent.NGINX, null,
                SigningKeys.publicKeyPem(MANAGER_KEY.getPublic()));
        Await.await("signed version 1 served (" + agent.agent.status() + ")", WAIT,
                () -> agent.agent.status().state() == AgentState.READY && agent.agent.status().runningVersion() == 1);
    }

    @AfterEach
    void stop() {
        agent.close();
        good.close();
        evil.close();
    }

    @Test
    void aSignedVersionPastOneMegabyteIsJoinedFromItsChunksCheckedAndServed() throws Exception {
        byte[] noise = new byte[1_500_000];
        new java.util.Random(9).nextBytes(noise);
        java.util.Map<String, String> files = new java.util.TreeMap<>(NginxBundles.proxyingTo(GROUP, evil.port()).files());
        files.put("padding.txt", java.util.HexFormat.of().formatHex(noise));
        ConfigBundle large = ConfigBundle.of(GROUP, files);
        assertThat(io.lbmanager.contract.VersionNodes.chunksFor(BundleCodec.encode(large).length)).isGreaterThan(2);

        publisher.publishSigned(2, large, signer);

        Await.await("the chunked version 2 served (" + agent.agent.status() + ")", WAIT,
                () -> agent.agent.status().state() == AgentState.READY && agent.agent.status().runningVersion() == 2);
        assertThat(Http.get(agent.trafficPort(), "/x").body()).isEqualTo("evil");
    }

    @Test
    void anUnsignedVersionIsRefusedAndTheSignedOneKeepsServing() throws Exception {
        try (Load load = Load.toPorts(() -> List.of(agent.trafficPort())).path("/x").maxRequests(20_000)
                .maxTime(Duration.ofSeconds(30)).start()) {
            publisher.publish(2, NginxBundles.proxyingTo(GROUP, evil.port()));

            awaitRefusal(2, "is unsigned");
            assertThat(Http.get(agent.trafficPort(), "/x").body()).isEqualTo("good");
            assertThat(agent.agent.status().runningVersion()).isEqualTo(1);
            keepLoadingAfterTheRefusal(load);
        }
    }

    @Test
    void aVersionChangedAfterSigningIsRefusedAndTheSignedOneKeepsServing() throws Exception {
        ConfigBundle signed = NginxBundles.proxyingTo(GROUP, good.port());
        ConfigBundle swapped = NginxBundles.proxyingTo(GROUP, evil.port());
        try (Load load = Load.toPorts(() -> List.of(agent.trafficPort())).path("/x").maxRequests(20_000)
                .maxTime(Duration.ofSeconds(30)).start()) {
            // signed as it was, then its node replaced (by someone holding ZooKeeper write access) before the target moves
            ZK.write(layout.groupSignature(GROUP, 3), Json.write(signer.sign(GROUP, 3, BundleCodec.encode(signed))));
            ZK.write(layout.groupVersion(GROUP, 3), BundleCodec.encode(swapped));
            ZK.write(layout.groupTarget(GROUP), Json.write(new PublishedVersion(GROUP, 3,
                    swapped.sha256(), System.currentTimeMillis(), "tampered")));

            awaitRefusal(3, "bad signature on version 3");
            assertThat(Http.get(agent.trafficPort(), "/x").body()).isEqualTo("good");
            keepLoadingAfterTheRefusal(load);
        }

        publisher.publishSigned(4, swapped, signer);
        Await.await("the next signed version is served", WAIT, () -> agent.agent.status().runningVersion() == 4);
        assertThat(Http.get(agent.trafficPort(), "/x").body()).isEqualTo("evil");
    }

    /** The refusal comes before Nginx sees anything; traffic goes on a while after it, all of it answered. */
    private static void keepLoadingAfterTheRefusal(Load load) throws Exception {
        int atRefusal = load.sent();
        Await.await("50 more requests after the refusal", WAIT, () -> load.sent() >= atRefusal + 50);
        load.stop();
        assertThat(load.failed()).as("failed requests: %s", load.firstFailures()).isZero();
    }

    private void awaitRefusal(long version, String why) throws Exception {
        Await.await("version " + version + " refused (" + agent.agent.status() + ")", WAIT, () -> {
            AgentStatus status = agent.agent.status();
            return status.state() == AgentState.FAILED && status.failedVersion() == version
                    && status.error() != null && status.error().contains("refused: ") && status.error().contains(why);
        });
        assertThat(Http.get(agent.adminPort(), "/status").body()).contains(why);
    }
}
