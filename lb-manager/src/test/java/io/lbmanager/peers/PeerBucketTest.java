package io.lbmanager.peers;

import io.lbmanager.catalog.Upstream;
import io.lbmanager.zk.CorruptNodeException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What an agent accepts from a bucket node: each refusal names the node and the field. */
class PeerBucketTest {

    private static final String PARENT = "/lbm/groups/edge/peer-buckets/";

    private static String pathOf(String service) {
        return PARENT + PeerBucket.name(PeerBucket.of(service));
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void listsRoundTripSortedByService() {
        PeerList shop = new PeerList("shop", List.of(new Upstream("10.0.0.1", 80, 3)));
        String path = pathOf("shop");

        assertThat(PeerBucket.parse(path, PeerBucket.encode(List.of(shop)))).containsExactly(java.util.Map.entry("shop", shop));
        assertThat(PeerBucket.name(7)).isEqualTo("0007");
        assertThat(PeerBucket.parseName("4095")).isEqualTo(4095);
        assertThat(List.of("4096", "007", "00a7", "-001")).allMatch(name -> PeerBucket.parseName(name) == -1);
    }

    @Test
    void aListInTheWrongBucketIsRefused() {
        String other = PARENT + PeerBucket.name((PeerBucket.of("shop") + 1) % PeerBucket.COUNT);

        assertThatThrownBy(() -> PeerBucket.parse(other, bytes("{\"lists\":[{\"service\":\"shop\",\"peers\":[]}]}")))
                .isInstanceOf(CorruptNodeException.class).hasMessageContaining(other)
                .hasMessageContaining("field lists[0].service: shop belongs in bucket " + PeerBucket.name(PeerBucket.of("shop")));
    }

    @Test
    void aServiceTwiceIsRefused() {
        String list = "{\"service\":\"shop\",\"peers\":[]}";

        assertThatThrownBy(() -> PeerBucket.parse(pathOf("shop"), bytes("{\"lists\":[" + list + "," + list + "]}")))
                .hasMessageContaining("field lists[1].service: shop appears twice");
    }

    @Test
    void injectionIntoAPeerOrAServiceIdIsRefusedNamingTheField() {
        assertThatThrownBy(() -> PeerBucket.parse(pathOf("shop"),
                bytes("{\"lists\":[{\"service\":\"shop\",\"peers\":[{\"host\":\"10.0.0.1 backup; a\",\"port\":80}]}]}")))
                .hasMessageContaining("field lists[0].peers[0]").hasMessageContaining("is not an IPv4 literal");
        assertThatThrownBy(() -> PeerBucket.parse(pathOf("shop"), bytes("{\"lists\":[{\"service\":\"sh op\\n\",\"peers\":[]}]}")))
                .hasMessageContaining("field lists[0].service: 'sh op\n' is not a service id");
    }

    @Test
    void emptyMissingOrMisnamedNodesAreRefused() {
        assertThatThrownBy(() -> PeerBucket.parse(pathOf("shop"), new byte[0])).hasMessageContaining("empty node");
        assertThatThrownBy(() -> PeerBucket.parse(pathOf("shop"), bytes("{}"))).hasMessageContaining("field lists: missing");
        assertThatThrownBy(() -> PeerBucket.parse(PARENT + "shop", bytes("{\"lists\":[]}"))).hasMessageContaining("not a bucket number");
    }
}
