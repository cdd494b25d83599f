package io.lbmanager.zones;

import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.snapshot.DiscoveredInstance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which zone each upstream of a service is in. A discovered instance whose service sets the option
 * {@code zoneField} takes the value of that payload field; any other upstream (or an instance
 * without the field) takes the zone of the first configured address range holding its address.
 * A value that is not a zone name is refused with the reason: the upstream is then in no known
 * zone, and still routed.
 */
public final class InstanceZones {

    public static final String ZONE_FIELD = "zoneField";
    public static final String PANIC_PERCENT = "zonePanicPercent";

    private final ZoneRanges ranges;

    public InstanceZones(ZoneRanges ranges) {
        this.ranges = ranges;
    }

    public ServiceZones of(ServiceRecord service, List<Upstream> upstreams, List<DiscoveredInstance> instances) {
        Map<String, Object> options = service.definition().options();
        String field = options.get(ZONE_FIELD) instanceof String name ? name : null;
        int panic = options.get(PANIC_PERCENT) instanceof Number percent ? percent.intValue() : ServiceZones.DEFAULT_PANIC_PERCENT;
        if (field == null && ranges.isEmpty()) {
            return new ServiceZones(Map.of(), panic, List.of());
        }
        Map<String, DiscoveredInstance> byAddress = new HashMap<>();
        instances.stream().filter(DiscoveredInstance::enabled).forEach(i -> byAddress.putIfAbsent(i.upstream().address(), i));
        Map<String, String> zones = new HashMap<>();
        List<String> refused = new ArrayList<>();
        for (Upstream upstream : upstreams) {
            String address = upstream.address();
            DiscoveredInstance instance = byAddress.get(address);
            String value = field == null || instance == null ? null : instance.payloadFields().get(field);
            if (value != null) {
                if (ZoneName.valid(value)) {
                    zones.put(address, value);
                } else {
                    refused.add("instance " + instance.id() + " at " + address + ": payload." + field + " " + ZoneName.quoted(value)
                            + " is not a zone name (" + ZoneName.RULE + "); routed in no zone");
                }
                continue;
            }
            Optional<String> zone = ranges.zoneOf(upstream.host());
            zone.ifPresent(z -> zones.put(address, z));
        }
        return new ServiceZones(zones, panic, refused);
    }
}
