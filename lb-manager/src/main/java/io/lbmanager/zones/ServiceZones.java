package io.lbmanager.zones;

import java.util.List;
import java.util.Map;

/**
 * The zones of one service's upstreams, by {@code host:port}; an upstream missing from {@code zones}
 * is in no known zone. {@code refused} says why a zone value was not taken, one line per upstream.
 *
 * @param panicPercent an Nginx keeps to its own zone while at least this share of the zone's peers is healthy
 */
public record ServiceZones(Map<String, String> zones, int panicPercent, List<String> refused) {

    public static final int DEFAULT_PANIC_PERCENT = 50;

    public ServiceZones {
        zones = Map.copyOf(zones);
        refused = List.copyOf(refused);
    }
}
