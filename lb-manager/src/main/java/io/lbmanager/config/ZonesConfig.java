package io.lbmanager.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.util.ArrayList;
import java.util.List;

/**
 * Zone-aware routing: which zone an instance is in when its address falls in a range. A service can
 * instead name a field of its x-discovery payload with the option {@code zoneField}.
 */
public class ZonesConfig {

    /** One address range and the zone of every address in it. */
    public static class Range {
        /** An IPv4 or IPv6 CIDR, e.g. {@code 10.1.0.0/16}. */
        @NotNull
        public String cidr;

        @NotNull
        @Pattern(regexp = "[a-z0-9-]{1,32}", message = "must be 1 to 32 of a-z, 0-9 and -")
        public String zone;

        public Range() {
        }

        public Range(String cidr, String zone) {
            this.cidr = cidr;
            this.zone = zone;
        }
    }

    /** Checked in order; the first range holding an instance's address gives its zone. */
    @Valid
    @NotNull
    public List<Range> ranges = new ArrayList<>();
}
