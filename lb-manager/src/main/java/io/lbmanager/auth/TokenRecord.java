package io.lbmanager.auth;

import java.util.List;

/**
 * A token as stored in ZooKeeper: never the secret, only its SHA-256.
 *
 * @param expiresAtMillis   0 when it never expires
 * @param lastUsedAtMillis  0 when never used; updated at most once a minute
 * @param revokedAtMillis   0 while not revoked
 */
public record TokenRecord(String id, String team, List<String> scopes, String createdBy, long createdAtMillis,
                          long expiresAtMillis, long lastUsedAtMillis, long revokedAtMillis, String revokedBy, String sha256) {

    public TokenRecord {
        scopes = List.copyOf(scopes);
    }

    public boolean usableAt(long nowMillis) {
        return revokedAtMillis == 0 && (expiresAtMillis == 0 || nowMillis < expiresAtMillis);
    }

    public TokenRecord usedAt(long nowMillis) {
        return new TokenRecord(id, team, scopes, createdBy, createdAtMillis, expiresAtMillis, nowMillis, revokedAtMillis, revokedBy, sha256);
    }

    public TokenRecord revoked(long nowMillis, String by) {
        return new TokenRecord(id, team, scopes, createdBy, createdAtMillis, expiresAtMillis, lastUsedAtMillis, nowMillis, by, sha256);
    }

    public TokenRecord withSecretHash(String newSha256) {
        return new TokenRecord(id, team, scopes, createdBy, createdAtMillis, expiresAtMillis, 0, revokedAtMillis, revokedBy, newSha256);
    }

    /** What the API shows: everything but the hash. */
    public TokenView view(long nowMillis) {
        String state = revokedAtMillis != 0 ? "revoked" : usableAt(nowMillis) ? "active" : "expired";
        return new TokenView(id, team, scopes, createdBy, createdAtMillis, expiresAtMillis, lastUsedAtMillis, revokedAtMillis, revokedBy,
                state);
    }

    public record TokenView(String id, String team, List<String> scopes, String createdBy, long createdAtMillis, long expiresAtMillis,
                            long lastUsedAtMillis, long revokedAtMillis, String revokedBy, String state) {
    }
}
