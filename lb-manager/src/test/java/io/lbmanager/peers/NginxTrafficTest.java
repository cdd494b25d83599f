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
    void aMissingSocketIsAnErrorInWordsNotAnException() {
        try (NginxTraffic traffic = new NginxTraffic(java.nio.file.Path.of("/nonexistent/lbm-test/peers.sock"))) {
            NginxTraffic.Reading reading = traffic.read();
            assertThat(reading.error()).contains("cannot read /_lbm/stats from nginx");
            assertThat(reading.services()).isEmpty();
        }
    }
}
