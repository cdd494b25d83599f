package io.lbmanager.auth;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a token may do. Every token reads (when reads need a token at all); {@code admin} may do
 * everything. A {@code service-owner} token is bound to one team and acts only on that team's services.
 */
public enum Scope {
    READ("read"),
    SERVICE_OWNER("service-owner"),
    OPERATOR("operator"),
    ADMIN("admin");

    private final String wire;

    Scope(String wire) {
        this.wire = wire;
    }

    /** The name used in the API, the CLI and the docs. */
    public String wire() {
        return wire;
    }

    public static Optional<Scope> fromWire(String name) {
        return Arrays.stream(values()).filter(s -> s.wire.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return wire;
    }
}
