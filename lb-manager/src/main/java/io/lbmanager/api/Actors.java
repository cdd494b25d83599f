package io.lbmanager.api;

import io.lbmanager.catalog.InputRules;

/**
 * Who is making a change, from the {@code X-LBM-User} header. The caller never sets it: {@link ScopeFilter}
 * replaces whatever came in with the token's identity ({@code tokenId@team}) before a resource reads it.
 */
public final class Actors {

    public static final String HEADER = "X-LBM-User";
    public static final String ANONYMOUS = "anonymous";

    private Actors() {
    }

    public static String fromHeader(String value) {
        return value == null || value.isEmpty() ? ANONYMOUS : InputRules.requireActor(HEADER, value);
    }
}
