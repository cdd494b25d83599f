package io.lbmanager.contract;

import io.lbmanager.zk.CorruptNodeException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BundleCodecTest {

    private static final Map<String, String> FILES = Map.of("nginx.conf", "events {}\n", "upstreams/a.conf", "# a\n");

    @Test
    void bundleSurvivesEncodeAndDecode() {
        ConfigBundle bundle = ConfigBundle.of("edge", FILES);

        assertThat(BundleCodec.decode("/v/1", BundleCodec.encode(bundle))).isEqualTo(bundle);
    }

    @Test
    void versionStoredWithTheEarlierFlatChecksumIsStillRead() {
        ConfigBundle stored = new ConfigBundle("edge", new TreeMap<>(FILES), ConfigBundle.flatChecksum(FILES));
        assertThat(stored.sha256()).isNotEqualTo(ConfigBundle.checksum(FILES));

        assertThat(BundleCodec.decode("/v/1", BundleCodec.encode(stored))).isEqualTo(stored);
    }

    @Test
    void filesMatchingNeitherChecksumAreCorrupt() {
        ConfigBundle tampered = new ConfigBundle("edge", new TreeMap<>(FILES), ConfigBundle.checksum(Map.of("nginx.conf", "other")));

        assertThatThrownBy(() -> BundleCodec.decode("/v/1", BundleCodec.encode(tampered)))
                .isInstanceOf(CorruptNodeException.class).hasMessageContaining("does not match");
    }
}
