package io.lbmanager.snapshot;

import java.util.EnumSet;
import java.util.Set;

/** Why a new snapshot was taken: the causes of the burst of changes it sums up. */
public record SnapshotChange(Set<Cause> causes) {

    public enum Cause {
        /** Catalog and discovery were read in full for the first time. */
        FIRST_READ,
        /** A service or group was written, most often by a person through the API. */
        CATALOG,
        /** Instances came, went or changed. */
        DISCOVERY,
        /** An operator released the discovery holds. */
        HOLDS_RELEASED,
        /** Discovery holds reached their longest time. */
        HOLDS_ENDED
    }

    public SnapshotChange {
        causes = causes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(causes));
    }

    public static SnapshotChange of(Cause cause) {
        return new SnapshotChange(Set.of(cause));
    }

    /** True when a person's change to the catalog is among the causes: it should not wait for calm. */
    public boolean catalogChanged() {
        return causes.contains(Cause.CATALOG) || causes.contains(Cause.FIRST_READ);
    }
}
