package io.lbmanager.zones;

import io.lbmanager.config.ZonesConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZoneRangesTest {

    private static ZoneRanges of(ZonesConfig.Range... ranges) {
        ZonesConfig config = new ZonesConfig();
        config.ranges = List.of(ranges);
        return ZoneRanges.from(config);
    }

    @Test
    void theFirstRangeHoldingAnAddressNamesItsZone() {
        ZoneRanges ranges = of(new ZonesConfig.Range("10.1.2.0/24", "rack-7"), new ZonesConfig.Range("10.1.0.0/16", "east"),
                new ZonesConfig.Range("10.2.0.0/16", "west"), new ZonesConfig.Range("fd00:1::/32", "east"),
                new ZonesConfig.Range("192.168.1.9", "lab"));

        assertThat(ranges.zoneOf("10.1.2.3")).contains("rack-7");
        assertThat(ranges.zoneOf("10.1.3.3")).contains("east");
        assertThat(ranges.zoneOf("10.2.255.255")).contains("west");
        assertThat(ranges.zoneOf("10.3.0.1")).isEmpty();
        assertThat(ranges.zoneOf("fd00:1:abcd::5")).contains("east");
        assertThat(ranges.zoneOf("192.168.1.9")).contains("lab");
        assertThat(ranges.zoneOf("192.168.1.10")).isEmpty();
    }

    @Test
    void hostNamesAndNonAddressesHaveNoZoneAndAreNeverLookedUp() {
        ZoneRanges everything = of(new ZonesConfig.Range("0.0.0.0/0", "all"));

        assertThat(everything.zoneOf("1.2.3.4")).contains("all");
        assertThat(everything.zoneOf("backend.internal")).isEmpty();
        assertThat(everything.zoneOf("localhost")).isEmpty();
        assertThat(everything.zoneOf("300.1.1.1")).isEmpty();
        assertThat(everything.zoneOf(null)).isEmpty();
        assertThat(ZoneRanges.NONE.zoneOf("1.2.3.4")).isEmpty();
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '|', value = {
            "10.0.0.0/33    | east       | zones.ranges[0].cidr '10.0.0.0/33': the prefix length must be 0..32",
            "10.0.0.0/x     | east       | zones.ranges[0].cidr '10.0.0.0/x': the prefix length must be 0..32",
            "example.com/8  | east       | zones.ranges[0].cidr 'example.com/8' is not an IPv4 or IPv6 CIDR",
            "10.0.0.0/8     | East Coast | zones.ranges[0].zone 'East Coast' is not 1 to 32 of a-z, 0-9 and -",
    })
    void aBadRangeStopsTheStartNamingIt(String cidr, String zone, String message) {
        assertThatThrownBy(() -> of(new ZonesConfig.Range(cidr, zone))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
