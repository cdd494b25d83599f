package io.lbmanager.testsupport;

import io.lbmanager.auth.TokenSecrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The admin token every test manager starts with (through {@code api.adminTokenFile}, as an operator
 * would use {@code LBM_ADMIN_TOKEN}), and the header the shared HTTP helpers send with it.
 */
public final class TestTokens {

    public static final String ADMIN = TokenSecrets.newSecret(TokenSecrets.newId());
    public static final String ADMIN_ID = TokenSecrets.idOf(ADMIN);
    /** How the manager names what the admin token changes ({@code tokenId@team}). */
    public static final String ADMIN_ACTOR = ADMIN_ID + "@admin";
    private static Path file;

    private TestTokens() {
    }

    public static String bearer(String token) {
        return "Bearer " + token;
    }

    /** A file holding {@link #ADMIN}, for {@code config.api.adminTokenFile}; written once per JVM. */
    public static synchronized String adminTokenFile() {
        if (file == null) {
            try {
                file = Files.createTempFile("lbm-test-admin-token", ".txt");
                file.toFile().deleteOnExit();
                Files.writeString(file, ADMIN);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file.toString();
    }
}
