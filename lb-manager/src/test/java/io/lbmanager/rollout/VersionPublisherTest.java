package io.lbmanager.rollout;

import io.lbmanager.contract.BundleCodec;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.contract.VersionNodes;
import io.lbmanager.signing.SigningKeys;
import io.lbmanager.signing.VersionSignature;
import io.lbmanager.signing.VersionSigner;
import io.lbmanager.signing.VersionVerifier;
import io.lbmanager.testsupport.BundlePublisher;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.security.KeyPair;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionPublisherTest {

    private final ZkLayout layout = new ZkLayout("/lbm");
    @RegisterExtension
    final ZooKeeperExtension zk = ZooKeeperExtension.perTest();
    private CuratorFramework client;
    private VersionPublisher publisher;

    @BeforeEach
    void start() throws Exception {
        client = zk.curator();
        publisher = new VersionPublisher(client, layout, 3);
    }

    @Test
    void firstPublishIsVersionOneAndTargetPointsAtIt() throws Exception {
        ConfigBundle bundle = bundle("a");

        var outcome = publisher.publishIfChanged(bundle, "test");

        assertThat(outcome).isInstanceOf(VersionPublisher.PublishOutcome.Published.class);
        assertThat(publisher.target("edge").orElseThrow().version()).isEqualTo(1);
        assertThat(publisher.targetBundle("edge").orElseThrow()).isEqualTo(bundle);
    }

    @Test
    void unchangedChecksumPublishesNothing() throws Exception {
        publisher.publishIfChanged(bundle("a"), "test");
        var before = client.getData().forPath(layout.groupTarget("edge"));

        var outcome = publisher.publishIfChanged(bundle("a"), "again");

        assertThat(outcome).isInstanceOf(VersionPublisher.PublishOutcome.Unchanged.class);
        assertThat(client.getData().forPath(layout.groupTarget("edge"))).isEqualTo(before);
        assertThat(client.getChildren().forPath(layout.groupVersions("edge"))).hasSize(1);
    }

    @Test
    void versionsOnlyGrowAndOldOnesArePrunedToTheConfiguredCount() throws Exception {
        for (int i = 0; i < 6; i++) {
            publisher.publishIfChanged(bundle("content " + i), "change " + i);
        }
        assertThat(publisher.target("edge").orElseThrow().version()).isEqualTo(6);
        assertThat(client.getChildren().forPath(layout.groupVersions("edge")))
                .containsExactlyInAnyOrder("0000000004", "0000000005", "0000000006");
    }

    @Test
    void signedVersionsCarryASignatureOfTheirExactNodeAndOldOnesArePrunedWithIt() throws Exception {
        KeyPair keys = SigningKeys.generate();
        VersionPublisher signing = new VersionPublisher(client, layout, 3, Optional.of(new VersionSigner(keys.getPrivate())));
        for (int i = 0; i < 5; i++) {
            signing.publishIfChanged(bundle("signed " + i), "change " + i);
        }
        VersionVerifier verifier = new VersionVerifier(keys.getPublic());
        for (long version = 3; version <= 5; version++) {
            byte[] node = client.getData().forPath(layout.groupVersion("edge", version));
            VersionSignature signature = Json.read("sig", client.getData().forPath(layout.groupSignature("edge", version)),
                    VersionSignature.class);
            assertThat(verifier.check("edge", version, node, signature)).as("version %d", version).isEmpty();
        }
        assertThat(client.getChildren().forPath(layout.groupSignatures("edge")))
                .containsExactlyInAnyOrder("0000000003", "0000000004", "0000000005");
    }

    @Test
    void aTargetPublishedBeforeSigningIsPublishedAgainSigned() throws Exception {
        publisher.publishIfChanged(bundle("a"), "unsigned");
        VersionPublisher signing = new VersionPublisher(client, layout, 3, Optional.of(new VersionSigner(SigningKeys.generate().getPrivate())));

        assertThat(signing.publishIfChanged(bundle("a"), "signing on")).isInstanceOf(VersionPublisher.PublishOutcome.Published.class);
        assertThat(signing.target("edge").orElseThrow().version()).isEqualTo(2);
        assertThat(client.checkExists().forPath(layout.groupSignature("edge", 2))).isNotNull();
        assertThat(signing.publishIfChanged(bundle("a"), "again")).isInstanceOf(VersionPublisher.PublishOutcome.Unchanged.class);
    }

    @Test
    void bundleBeyondTheBundleBudgetIsRefusedAndTargetUntouched() throws Exception {
        VersionPublisher small = new VersionPublisher(client, layout, 3, Optional.empty(), 1_000_000);
        small.publishIfChanged(bundle("small"), "test");

        var outcome = small.publishIfChanged(noiseBundle(1_200_000, 7), "huge");

        assertThat(outcome).isInstanceOf(VersionPublisher.PublishOutcome.TooLarge.class);
        assertThat(small.target("edge").orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void thisZooKeeperRefusesOneNodePastItsDefaultLimit() throws Exception {
        byte[] encoded = BundleCodec.encode(noiseBundle(1_000_000, 1));
        assertThat(encoded.length).isGreaterThan(1024 * 1024);

        try (CuratorFramework noRetries = CuratorFrameworkFactory.newClient(zk.connectString(), 10_000, 5_000, new RetryNTimes(0, 0))) {
            noRetries.start();
            assertThatThrownBy(() -> noRetries.create().forPath("/one-big-node", encoded))
                    .as("jute.maxbuffer is ZooKeeper's default here, so the chunk tests below mean something")
                    .isInstanceOf(KeeperException.ConnectionLossException.class);
        }
        assertThat(client.checkExists().forPath("/one-big-node")).isNull();
    }

    @Test
    void bundlePastOneMegabyteIsStoredInChunksAndReadBackWhole() throws Exception {
        ConfigBundle huge = noiseBundle(2_000_000, 11);
        int encodedBytes = BundleCodec.encode(huge).length;
        assertThat(encodedBytes).isGreaterThan(2 * 1024 * 1024);

        var outcome = publisher.publishIfChanged(huge, "huge");

        assertThat(outcome).isInstanceOf(VersionPublisher.PublishOutcome.Published.class);
        String path = layout.groupVersion("edge", 1);
        List<String> chunks = client.getChildren().forPath(path);
        assertThat(chunks).hasSize(VersionNodes.chunksFor(encodedBytes)).hasSizeGreaterThanOrEqualTo(5);
        for (String chunk : chunks) {
            assertThat(client.getData().forPath(path + "/" + chunk).length).isLessThanOrEqualTo(VersionNodes.CHUNK_BYTES);
        }
        assertThat(client.getData().forPath(path).length).as("the version node holds the manifest only").isLessThan(1024);
        assertThat(publisher.targetBundle("edge").orElseThrow()).isEqualTo(huge);
        assertThat(publisher.storedVersion("edge", 1).sha256()).isEqualTo(huge.sha256());
    }

    @Test
    void aChunkedVersionIsSignedWholeAndPrunedWithItsChunks() throws Exception {
        KeyPair keys = SigningKeys.generate();
        VersionPublisher signing = new VersionPublisher(client, layout, 1, Optional.of(new VersionSigner(keys.getPrivate())));
        ConfigBundle huge = noiseBundle(1_500_000, 3);
        signing.publishIfChanged(huge, "huge");

        byte[] joined = new VersionNodes(client).read(layout.groupVersion("edge", 1));
        VersionSignature signature = Json.read("sig", client.getData().forPath(layout.groupSignature("edge", 1)), VersionSignature.class);
        assertThat(joined).isEqualTo(BundleCodec.encode(huge));
        assertThat(new VersionVerifier(keys.getPublic()).check("edge", 1, joined, signature)).isEmpty();

        signing.publishIfChanged(bundle("small again"), "shrink");
        signing.publishIfChanged(bundle("small once more"), "again");
        assertThat(client.checkExists().forPath(layout.groupVersion("edge", 1))).isNull();
        assertThat(client.getChildren().forPath(layout.groupVersion("edge", 3))).as("a small version is one node").isEmpty();
    }

    @Test
    void aTamperedOrMissingChunkIsReportedWithTheVersionPath() throws Exception {
        publisher.publishIfChanged(noiseBundle(1_500_000, 5), "huge");
        String path = layout.groupVersion("edge", 1);
        byte[] second = client.getData().forPath(VersionNodes.chunkPath(path, 1));
        second[100] ^= 1;
        client.setData().forPath(VersionNodes.chunkPath(path, 1), second);

        assertThatThrownBy(() -> publisher.targetBundle("edge"))
                .isInstanceOf(CorruptNodeException.class).hasMessageContaining(path).hasMessageContaining("sha256");

        client.delete().forPath(VersionNodes.chunkPath(path, 2));
        assertThatThrownBy(() -> publisher.storedBundle("edge", 1))
                .isInstanceOf(CorruptNodeException.class).hasMessageContaining(path).hasMessageContaining("chunk 2 of");
    }

    @Test
    void aSingleNodeVersionWrittenBeforeChunkingStillReads() throws Exception {
        ConfigBundle old = bundle("written by an older manager");
        new BundlePublisher(client, layout).publish(4, old);

        assertThat(publisher.storedBundle("edge", 4)).isEqualTo(old);
        assertThat(publisher.targetBundle("edge").orElseThrow()).isEqualTo(old);
    }

    @Test
    void tamperedVersionNodeIsReportedWithItsPath() throws Exception {
        publisher.publishIfChanged(bundle("a"), "test");
        client.setData().forPath(layout.groupVersion("edge", 1), "not gzip".getBytes());

        assertThatThrownBy(() -> publisher.targetBundle("edge"))
                .isInstanceOf(CorruptNodeException.class)
                .hasMessageContaining(layout.groupVersion("edge", 1));
    }

    /** A bundle whose gzip JSON is about {@code noiseBytes} long: random bytes as hex compress about 2:1. */
    private static ConfigBundle noiseBundle(int noiseBytes, long seed) {
        byte[] noise = new byte[noiseBytes];
        new Random(seed).nextBytes(noise);
        return ConfigBundle.of("edge", Map.of("nginx.conf", HexFormat.of().formatHex(noise)));
    }

    private static ConfigBundle bundle(String content) {
        return ConfigBundle.of("edge", Map.of("nginx.conf", "# " + content + "\n"));
    }
}
