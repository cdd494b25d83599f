package io.lbmanager.peers;

import io.lbmanager.catalog.Upstream;
import io.lbmanager.zk.CorruptNodeException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PeerListTest {

    private static final String PATH = "/lb-manager/groups/edge/peers/shop";

    @Test
    void roundTripsAndRendersTheDictValue() {
        PeerList list = new PeerList("shop", List.of(new Upstream("10.0.0.1", 80), new Upstream("10.0.0.2", 8080, 3)));

        assertThat(PeerList.parse(PATH, list.encode())).isEqualTo(list);
        assertThat(list.dictValue()).isEqualTo("10.0.0.1:80:1 10.0.0.2:8080:3");
        assertThat(new PeerList("shop", List.of()).dictValue()).isEmpty();
        assertThat(PeerList.parse(PATH, new PeerList("shop", List.of()).encode())).as("an empty list keeps its peers field")
                .isEqualTo(new PeerList("shop", List.of()));
    }

    @Test
    void zonesGoIntoTheDictValueAndAListWithoutThemEncodesAsBefore() {
        List<Upstream> peers = List.of(new Upstream("10.0.0.1", 80), new Upstream("10.0.0.2", 8080, 3));
        PeerList zoned = new PeerList("shop", peers, java.util.Map.of("10.0.0.1:80", "east"), 25);

        assertThat(PeerList.parse(PATH, zoned.encode())).isEqualTo(zoned);
        assertThat(zoned.dictValue()).isEqualTo("10.0.0.1:80:1:east 10.0.0.2:8080:3 panic=25");
        assertThat(new String(new PeerList("shop", peers, java.util.Map.of(), 25).encode(), StandardCharsets.UTF_8))
                .isEqualTo("{\"service\":\"shop\",\"peers\":[{\"host\":\"10.0.0.1\",\"port\":80,\"weight\":1},"
                        + "{\"host\":\"10.0.0.2\",\"port\":8080,\"weight\":3}]}");
    }

    @Test
    void aNodeWithoutAWeightReadsAsWeightOne() {
        PeerList list = PeerList.parse(PATH, "{\"service\":\"shop\",\"peers\":[{\"host\":\"10.0.0.1\",\"port\":80}]}"
                .getBytes(StandardCharsets.UTF_8));

        assertThat(list.peers()).containsExactly(new Upstream("10.0.0.1", 80, 1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "host name                 | {\"service\":\"shop\",\"peers\":[{\"host\":\"backend.internal\",\"port\":80}]}  | peers[0]",
            "directive injection       | {\"service\":\"shop\",\"peers\":[{\"host\":\"1.2.3.4; deny\",\"port\":80}]}     | peers[0]",
            "ipv6 literal              | {\"service\":\"shop\",\"peers\":[{\"host\":\"::1\",\"port\":80}]}                | peers[0]",
            "port out of range         | {\"service\":\"shop\",\"peers\":[{\"host\":\"10.0.0.1\",\"port\":70000}]}        | peers[0]",
            "weight too high           | {\"service\":\"shop\",\"peers\":[{\"host\":\"10.0.0.1\",\"port\":80,\"weight\":101}]} | weight must be in 1..100",
            "other service's list      | {\"service\":\"cart\",\"peers\":[]}                                          | not the node's name shop",
            "no peers field            | {\"service\":\"shop\"}                                                       | peers",
            "not json                  | peers: 10.0.0.1                                                            | malformed",
            "zone injection            | {\"service\":\"shop\",\"peers\":[{\"host\":\"10.0.0.1\",\"port\":80}],\"zones\":{\"10.0.0.1:80\":\"a 10.9.9.9:1:1\"}} | field zones.10.0.0.1:80",
            "panic out of range        | {\"service\":\"shop\",\"peers\":[],\"zones\":{\"10.0.0.1:80\":\"a\"},\"zonePanicPercent\":101} | zonePanicPercent",
    })
    void malformedNodesAreRefusedNamingTheNodeAndTheField(String why, String json, String named) {
        assertThatThrownBy(() -> PeerList.parse(PATH, json.getBytes(StandardCharsets.UTF_8)))
                .as(why)
                .isInstanceOf(CorruptNodeException.class)
                .hasMessageContaining(PATH)
                .hasMessageContaining(named);
    }

    @Test
    void anEmptyNodeIsRefused() {
        assertThatThrownBy(() -> PeerList.parse(PATH, new byte[0])).isInstanceOf(CorruptNodeException.class).hasMessageContaining("empty node");
    }
}
