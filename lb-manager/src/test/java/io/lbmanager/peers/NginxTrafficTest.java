package io.lbmanager.peers;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NginxTrafficTest {

    @Test
    void readsTheLinesOfLbmReportAndSkipsAnythingElse() {
        Map<String, NginxTraffic.Counters> services = NginxTraffic.parse("""
                shop 120 3 127.0.0.1:8080:1 127.0.0.1:8081:5
                empty 7 7
                <html>500 Internal Server Error</html>
                bad x 1
                
                """);
        assertThat(services).containsOnlyKeys("shop", "empty");
        assertThat(services.get("shop")).isEqualTo(new NginxTraffic.Counters(120, 3, List.of("127.0.0.1:8080:1", "127.0.0.1:8081:5")));
        assertThat(services.get("empty")).isEqualTo(new NginxTraffic.Counters(7, 7, List.of()));
    }

    @Test
    void readsZonedPeersAndTheLocalAndSpilledCountsWithoutTakingPanicForAPeer() {
        Map<String, NginxTraffic.Counters> services = NginxTraffic.parse("""
                shop 120 3 127.0.0.1:8080:1:east 127.0.0.1:8081:5:west panic=50
                cart 4 0 127.0.0.1:9090:1
                @zone east
                @zoned shop 100 20
                @zoned gone 1 1
                """);
        assertThat(services).containsOnlyKeys("shop", "cart");
        assertThat(services.get("shop")).isEqualTo(new NginxTraffic.Counters(120, 3,
                List.of("127.0.0.1:8080:1:east", "127.0.0.1:8081:5:west"), 100L, 20L));
        assertThat(services.get("cart").zoneLocal()).as("not counted by zone").isNull();
    }

    @Test
    void aMissingSocketIsAnErrorInWordsNotAnException() {
        try (NginxTraffic traffic = new NginxTraffic(java.nio.file.Path.of("/nonexistent/lbm-test/peers.sock"))) {
            NginxTraffic.Reading reading = traffic.read();
            assertThat(reading.error()).contains("cannot read /_lbm/stats from nginx");
            assertThat(reading.services()).isEmpty();
        }
    }
}
