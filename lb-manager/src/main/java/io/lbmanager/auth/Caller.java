package io.lbmanager.auth;

import java.security.Principal;
import java.util.Set;

/**
 * Who sent a request: a token's id, team and scopes, or anonymous (only where reads need no token).
 *
 * @param tokenId null when anonymous
 */
public record Caller(String tokenId, String team, Set<Scope> scopes) implements Principal {

    public static final Caller ANONYMOUS = new Caller(null, null, Set.of(Scope.READ));

    public Caller {
        scopes = Set.copyOf(scopes);
    }

    public boolean anonymous() {
        return tokenId == null;
    }

    /** Admin holds every scope; every token reads. */
    public boolean has(Scope scope) {
        return scopes.contains(Scope.ADMIN) || scopes.contains(scope) || (scope == Scope.READ && !anonymous());
    }

    public boolean hasAny(Scope... wanted) {
        for (Scope scope : wanted) {
            if (has(scope)) {
                return true;
            }
        }
        return false;
    }

    /** The name written as "by" on what this caller changes: {@code tokenId@team}. */
    public String actor() {
        return anonymous() ? "anonymous" : tokenId + "@" + team;
    }

    @Override
    public String getName() {
        return actor();
    }
}
