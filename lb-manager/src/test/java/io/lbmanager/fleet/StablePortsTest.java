package io.lbmanager.fleet;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StablePortsTest {

    @Test
    void aReplacementTakesTheLowestPortNoTaskHoldsAndNothingListensOn() {
        StablePorts ports = new StablePorts(Map.of("edge", List.of(8081, 8082, 8083)));

        assertThat(ports.free("edge", Set.of(8081), port -> false)).hasValue(8082);
        assertThat(ports.free("edge", Set.of(8081), port -> port == 8082)).hasValue(8083);
        assertThat(ports.free("edge", Set.of(8081, 8082, 8083), port -> false)).isEmpty();
        assertThat(ports.whyNoneFree("edge", Set.of(8081))).contains("8081 (a task of this fleet)", "8082 (another process listens)");
    }

    @Test
    void badListsAreRefusedNamingTheGroupAndPort() {
        assertThatThrownBy(() -> new StablePorts(Map.of("edge", List.of(8081), "internal", List.of(8081))))
                .hasMessageContaining("port 8081 is named twice");
        assertThatThrownBy(() -> new StablePorts(Map.of("edge", List.of(70000))))
                .hasMessageContaining("fleet.stablePorts.edge: 70000 is not a port");
        assertThatThrownBy(() -> new StablePorts(Map.of("edge", List.of())))
                .hasMessageContaining("fleet.stablePorts.edge: give at least one port");
        assertThatThrownBy(() -> new StablePorts(Map.of("bad name", List.of(1))))
                .hasMessageContaining("group must match");
    }

    @Test
    void dockerNeedsAPortPerInstanceAndSingularityOnePortPerGroup() {
        StablePorts ports = new StablePorts(Map.of("edge", List.of(8081, 8082)));

        ports.requireRoomFor(Map.of("edge", 2, "internal", 5));
        assertThatThrownBy(() -> ports.requireRoomFor("edge", 3)).hasMessageContaining("too few for 3 instances");
        assertThatThrownBy(ports::requireOnePortPerGroup).hasMessageContaining("give exactly one port");
        new StablePorts(Map.of("edge", List.of(80))).requireOnePortPerGroup();
    }
}
