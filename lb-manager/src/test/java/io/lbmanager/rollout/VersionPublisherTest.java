package io.lbmanager.rollout;

import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.signing.SigningKeys;
import io.lbmanager.signing.VersionSignature;
import io.lbmanager.signing.VersionSigner;
import io.lbmanager.signing.VersionVerifier;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.security.KeyPair;
import java.util.HexFormat;
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
    void bundleBeyondTheNodeBudgetIsRefusedAndTargetUntouched() throws Exception {
        publisher.publishIfChanged(bundle("small"), "test");
        byte[] noise = new byte[1_200_000];
        new Random(7).nextBytes(noise);
        ConfigBundle huge = ConfigBundle.of("edge", Map.of("nginx.conf", HexFormat.of().formatHex(noise)));

        var outcome = publisher.publishIfChanged(huge, "huge");

        assertThat(outcome).isInstanceOf(VersionPublisher.PublishOutcome.TooLarge.class);
        assertThat(publisher.target("edge").orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void tamperedVersionNodeIsReportedWithItsPath() throws Exception {
        publisher.publishIfChanged(bundle("a"), "test");
        client.setData().forPath(layout.groupVersion("edge", 1), "not gzip".getBytes());

        assertThatThrownBy(() -> publisher.targetBundle("edge"))
                .isInstanceOf(CorruptNodeException.class)
                .hasMessageContaining(layout.groupVersion("edge", 1));
    }

    private static ConfigBundle bundle(String content) {
        return ConfigBundle.of("edge", Map.of("nginx.conf", "# " + content + "\n"));
    }
}
