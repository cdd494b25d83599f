package io.lbmanager.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Turns an {@code Authorization: Bearer ...} header into a {@link Caller}: finds the token by the id
 * it names, compares hashes in constant time, checks expiry and revocation. Records last use at most
 * once a minute per token, off the request thread.
 */
public final class Authenticator implements AutoCloseable {

    static final long LAST_USED_EVERY_MILLIS = 60_000;
    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
    private static final String BEARER = "Bearer ";

    private final TokenStore tokens;
    private final LongSupplier clock;
    private final Map<String, Long> lastUseWritten = new ConcurrentHashMap<>();
    private final ExecutorService lastUseWriter = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(1000), runnable -> {
                Thread thread = new Thread(runnable, "token-last-used");
                thread.setDaemon(true);
                return thread;
            });

    public Authenticator(TokenStore tokens, LongSupplier clock) {
        this.tokens = tokens;
        this.clock = clock;
    }

    public Authentication authenticate(String authorizationHeader) {
        if (authorizationHeader == null || authorizationHeader.isBlank()) {
            return new Authentication.Missing();
        }
        if (!authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return new Authentication.Refused(null, "the Authorization header is not a Bearer token");
        }
        String presented = authorizationHeader.substring(BEARER.length()).trim();
        String id = TokenSecrets.idOf(presented);
        Optional<TokenStore.Versioned> stored = tokens.read(id);
        if (stored.isEmpty() || !TokenSecrets.matches(presented, stored.get().token().sha256())) {
            return new Authentication.Refused(null, "unknown token");
        }
        TokenRecord token = stored.get().token();
        long now = clock.getAsLong();
        if (!token.usableAt(now)) {
            return new Authentication.Refused(id, token.revokedAtMillis() != 0 ? "revoked token" : "expired token");
        }
        Set<Scope> scopes = new HashSet<>();
        token.scopes().forEach(name -> Scope.fromWire(name).ifPresent(scopes::add));
        noteUse(id, token.lastUsedAtMillis(), now);
        return new Authentication.Authenticated(new Caller(id, token.team(), scopes));
    }

    /** Forget what was noted about a token (after it is revoked or rotated here). */
    void forget(String id) {
        lastUseWritten.remove(id);
    }

    private void noteUse(String id, long storedLastUse, long now) {
        long noted = Math.max(storedLastUse, lastUseWritten.getOrDefault(id, 0L));
        if (now - noted < LAST_USED_EVERY_MILLIS) {
            return;
        }
        lastUseWritten.put(id, now);
        try {
            lastUseWriter.execute(() -> writeLastUse(id, now));
        } catch (RejectedExecutionException e) {
            lastUseWritten.remove(id); // the writer is behind; a later request notes it
        }
    }

    private void writeLastUse(String id, long now) {
        try {
            tokens.read(id).ifPresent(v -> tokens.replace(v.token().usedAt(now), v.version()));
        } catch (RuntimeException e) {
            LOG.warn("token id={} last use not recorded: {}", id, e.getMessage());
        }
    }

    @Override
    public void close() {
        lastUseWriter.shutdown();
    }
}
