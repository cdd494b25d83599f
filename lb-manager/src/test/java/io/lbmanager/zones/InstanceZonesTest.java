package io.lbmanager.zones;

import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.config.ZonesConfig;
import io.lbmanager.discovery.InstanceParser;
import io.lbmanager.snapshot.DiscoveredInstance;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class InstanceZonesTest {

    private static final ZoneRanges RANGES;

    static {
        ZonesConfig config = new ZonesConfig();
        config.ranges = List.of(new ZonesConfig.Range("10.1.0.0/16", "east"), new ZonesConfig.Range("10.2.0.0/16", "west"));
        RANGES = ZoneRanges.from(config);
    }

    private static ServiceRecord service(Map<String, Object> options, Upstream... staticUpstreams) {
        return new ServiceRecord(new ServiceDefinition("shop", List.of("team"), "/shop", List.of("edge"), options, "shop"),
                List.of(staticUpstreams), "test", 0L);
    }

    /** An instance as the discovery watcher reads it from its node, the payload of a class lb-manager does not know. */
    private static DiscoveredInstance registered(String address, int port, String payload) {
        String node = "{\"name\":\"shop\",\"id\":\"i-" + port + "\",\"address\":\"" + address + "\",\"port\":" + port
                + ",\"payload\":{\"@class\":\"com.example.Unknown\"" + payload + "}}";
        return InstanceParser.parse("shop", "/services/shop/i-" + port, node.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void addressRangesZoneEveryUpstreamStaticOrDiscovered() {
        DiscoveredInstance discovered = registered("10.2.0.5", 80, "");
        Upstream registeredByApi = new Upstream("10.1.0.9", 8080);
        Upstream nowhere = new Upstream("10.9.0.1", 80);
        ServiceZones zones = new InstanceZones(RANGES).of(service(Map.of(), registeredByApi, nowhere),
                List.of(registeredByApi, nowhere, discovered.upstream()), List.of(discovered));

        assertThat(zones.zones()).containsOnly(Map.entry("10.1.0.9:8080", "east"), Map.entry("10.2.0.5:80", "west"));
        assertThat(zones.panicPercent()).isEqualTo(ServiceZones.DEFAULT_PANIC_PERCENT);
        assertThat(zones.refused()).isEmpty();
    }

    @Test
    void thePayloadFieldTheServiceNamesWinsAndAnInstanceWithoutItFallsBackToTheRanges() {
        DiscoveredInstance labelled = registered("10.2.0.5", 80, ",\"az\":\"us-east-1a\",\"weight\":2");
        DiscoveredInstance unlabelled = registered("10.2.0.6", 80, ",\"team\":\"shop\"");
        ServiceZones zones = new InstanceZones(RANGES).of(service(Map.of("zoneField", "az", "zonePanicPercent", 70)),
                List.of(labelled.upstream(), unlabelled.upstream()), List.of(labelled, unlabelled));

        assertThat(zones.zones()).containsOnly(Map.entry("10.2.0.5:80", "us-east-1a"), Map.entry("10.2.0.6:80", "west"));
        assertThat(zones.panicPercent()).isEqualTo(70);
    }

    @Test
    void aBadZoneValueIsRefusedWithTheReasonAndTheInstanceIsStillRoutedInNoZone() {
        DiscoveredInstance hostile = registered("10.1.0.5", 80, ",\"az\":\"a 10.9.9.9:1:1\"");
        DiscoveredInstance tooLong = registered("10.1.0.6", 80, ",\"az\":\"" + "z".repeat(33) + "\"");
        DiscoveredInstance notAString = registered("10.7.0.7", 80, ",\"az\":{\"nested\":\"east\"}");
        ServiceZones zones = new InstanceZones(ZoneRanges.NONE).of(service(Map.of("zoneField", "az")),
                List.of(hostile.upstream(), tooLong.upstream(), notAString.upstream()), List.of(hostile, tooLong, notAString));

        assertThat(zones.zones()).isEmpty();
        assertThat(zones.refused()).hasSize(2);
        assertThat(zones.refused().get(0)).contains("i-80", "10.1.0.5:80", "payload.az 'a 10.9.9.9:1:1' is not a zone name");
        assertThat(zones.refused().get(1)).contains("10.1.0.6:80", "is not a zone name");
    }

    @Test
    void withoutRangesOrZoneFieldNothingIsZoned() {
        DiscoveredInstance instance = registered("10.1.0.5", 80, ",\"zone\":\"east\"");
        ServiceZones zones = new InstanceZones(ZoneRanges.NONE).of(service(Map.of()), List.of(instance.upstream()), List.of(instance));

        assertThat(zones.zones()).isEmpty();
        assertThat(zones.refused()).isEmpty();
    }
}
