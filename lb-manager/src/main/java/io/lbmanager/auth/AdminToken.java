package io.lbmanager.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The first admin token, from the environment variable {@code LBM_ADMIN_TOKEN} or from a file named
 * by the configuration ({@code api.adminTokenFile}). At start-up its hash is stored like any token's.
 */
public final class AdminToken {

    public static final String ENV = "LBM_ADMIN_TOKEN";
    public static final int MIN_LENGTH = 32;
    private static final Logger LOG = LoggerFactory.getLogger(AdminToken.class);

    private AdminToken() {
    }

    /** The configured secret: the environment variable wins over the file. */
    public static Optional<String> configured(Map<String, String> env, String file) {
        String value = env.get(ENV);
        String source = ENV;
        if ((value == null || value.isBlank()) && file != null && !file.isBlank()) {
            try {
                value = Files.readString(Path.of(file)).trim();
                source = file;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the admin token file " + file, e);
            }
        }
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        value = value.trim();
        if (value.length() < MIN_LENGTH || value.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalStateException("the admin token from " + source + " must be at least " + MIN_LENGTH
                    + " printable ASCII characters without spaces");
        }
        return Optional.of(value);
    }

    /** Stores the secret's hash as an admin token that never expires, unless that very token was revoked. */
    public static void install(TokenStore store, String secret, LongSupplier clock) {
        String id = TokenSecrets.idOf(secret);
        String hash = TokenSecrets.sha256(secret);
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<TokenStore.Versioned> current = store.read(id);
            if (current.isPresent() && current.get().token().sha256().equals(hash)) {
                if (current.get().token().revokedAtMillis() != 0) {
                    LOG.warn("token id={} from the start-up admin token was revoked; it stays revoked", id);
                }
                return;
            }
            TokenRecord token = new TokenRecord(id, "admin", List.of(Scope.ADMIN.wire()), ENV, clock.getAsLong(), 0, 0, 0, null, hash);
            boolean stored = current.isEmpty() ? store.create(token) : store.replace(token, current.get().version());
            if (stored) {
                LOG.info("token id={} installed from the start-up admin token scopes=[admin]", id);
                return;
            }
        }
        throw new IllegalStateException("could not store the start-up admin token: its node kept changing");
    }
}
