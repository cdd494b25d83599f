package io.lbmanager.auth;

import io.lbmanager.catalog.InputRules;
import io.lbmanager.errors.ConflictException;
import io.lbmanager.errors.InvalidInputException;
import io.lbmanager.errors.NotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The token life cycle: create (the secret is shown once), list, revoke, rotate. */
public final class TokenAdmin {

    /** So that {@code tokenId@team} is a valid actor name (at most 100 characters). */
    static final int MAX_TEAM_LENGTH = 80;
    public static final Duration MAX_TTL = Duration.ofDays(3650);
    private static final Logger LOG = LoggerFactory.getLogger(TokenAdmin.class);
    private static final Pattern TTL = Pattern.compile("([1-9][0-9]{0,5})([mhd])");

    /** A token and, right after create or rotate, its secret (never stored, never shown again). */
    public record Issued(TokenRecord.TokenView token, String secret) {
    }

    private final TokenStore store;
    private final Authenticator authenticator;
    private final LongSupplier clock;

    public TokenAdmin(TokenStore store, Authenticator authenticator, LongSupplier clock) {
        this.store = store;
        this.authenticator = authenticator;
        this.clock = clock;
    }

    /**
     * @param ttl {@code 90d}, {@code 12h}, {@code 30m}, or null/"never" for a token that does not expire
     */
    public Issued create(String team, List<String> scopeNames, String ttl, String by) {
        InputRules.requirePresent("team", team);
        if (!InputRules.TEAM.matcher(team).matches() || team.length() > MAX_TEAM_LENGTH) {
            throw new InvalidInputException("team", "must match " + InputRules.TEAM.pattern() + " and be at most " + MAX_TEAM_LENGTH
                    + " characters");
        }
        List<String> scopes = scopes(scopeNames);
        long now = clock.getAsLong();
        long expires = expiry(ttl, now);
        for (int attempt = 0; attempt < 5; attempt++) {
            String id = TokenSecrets.newId();
            String secret = TokenSecrets.newSecret(id);
            TokenRecord token = new TokenRecord(id, team, scopes, by, now, expires, 0, 0, null, TokenSecrets.sha256(secret));
            if (store.create(token)) {
                LOG.info("token id={} created team={} scopes={} expiresAtMillis={} by={}", id, team, scopes, expires, by);
                return new Issued(token.view(now), secret);
            }
        }
        throw new ConflictException(null, "could not find a free token id; retry");
    }

    public List<TokenRecord.TokenView> list() {
        long now = clock.getAsLong();
        List<TokenRecord.TokenView> views = new ArrayList<>();
        store.all().forEach(t -> views.add(t.view(now)));
        return views;
    }

    public TokenRecord.TokenView revoke(String id, String by) {
        for (int attempt = 0; attempt < 5; attempt++) {
            TokenStore.Versioned current = existing(id);
            if (current.token().revokedAtMillis() != 0) {
                return current.token().view(clock.getAsLong());
            }
            TokenRecord revoked = current.token().revoked(clock.getAsLong(), by);
            if (store.replace(revoked, current.version())) {
                authenticator.forget(id);
                LOG.info("token id={} revoked team={} by={}", id, revoked.team(), by);
                return revoked.view(clock.getAsLong());
            }
        }
        throw new ConflictException("id", "token " + id + " is being changed concurrently; retry");
    }

    /** A new secret for the same id, team, scopes and expiry; the old secret stops working at once. */
    public Issued rotate(String id, String by) {
        for (int attempt = 0; attempt < 5; attempt++) {
            TokenStore.Versioned current = existing(id);
            if (!current.token().usableAt(clock.getAsLong())) {
                throw new ConflictException("id", "token " + id + " is " + current.token().view(clock.getAsLong()).state()
                        + "; create a new one instead");
            }
            if (TokenSecrets.FOREIGN_ADMIN_ID.equals(id)) {
                throw new ConflictException("id", "the start-up admin token comes from LBM_ADMIN_TOKEN; change it there");
            }
            String secret = TokenSecrets.newSecret(id);
            TokenRecord rotated = current.token().withSecretHash(TokenSecrets.sha256(secret));
            if (store.replace(rotated, current.version())) {
                authenticator.forget(id);
                LOG.info("token id={} rotated team={} by={}", id, rotated.team(), by);
                return new Issued(rotated.view(clock.getAsLong()), secret);
            }
        }
        throw new ConflictException("id", "token " + id + " is being changed concurrently; retry");
    }

    private TokenStore.Versioned existing(String id) {
        Optional<TokenStore.Versioned> current = store.read(id);
        return current.orElseThrow(() -> new NotFoundException("id", "no token with id " + id));
    }

    private static List<String> scopes(List<String> names) {
        if (names == null || names.isEmpty()) {
            throw new InvalidInputException("scopes", "give at least one of read, service-owner, operator, admin");
        }
        Set<String> scopes = new LinkedHashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (Scope.fromWire(name).isEmpty()) {
                throw new InvalidInputException("scopes[" + i + "]", "must be one of read, service-owner, operator, admin");
            }
            scopes.add(name);
        }
        return List.copyOf(scopes);
    }

    static long expiry(String ttl, long now) {
        if (ttl == null || ttl.equals("never")) {
            return 0;
        }
        Matcher matcher = TTL.matcher(ttl);
        if (!matcher.matches()) {
            throw new InvalidInputException("ttl", "must be like 90d, 12h or 30m (or \"never\")");
        }
        long amount = Long.parseLong(matcher.group(1));
        Duration duration = switch (matcher.group(2)) {
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
        if (duration.compareTo(MAX_TTL) > 0) {
            throw new InvalidInputException("ttl", "must be at most " + MAX_TTL.toDays() + "d");
        }
        return now + duration.toMillis();
    }
}
