package io.lbmanager.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Token secrets: {@code lbm_<id>_<43 chars of URL-safe base64 = 256 random bits>}. Only the SHA-256 of
 * the whole token is stored; a presented token is found by its id and compared in constant time.
 * A salt or slow hash adds nothing for 256 random bits.
 */
public final class TokenSecrets {

    public static final String PREFIX = "lbm_";
    /** Where a token not in our format (an operator's own LBM_ADMIN_TOKEN) is kept. */
    public static final String FOREIGN_ADMIN_ID = "env-admin";
    private static final Pattern FORMAT = Pattern.compile("lbm_([a-z0-9]{12})_[A-Za-z0-9_-]{43}");
    private static final Pattern ID = Pattern.compile("[a-z0-9]{12}|" + FOREIGN_ADMIN_ID);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private TokenSecrets() {
    }

    public static String newId() {
        char[] id = new char[12];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_CHARS[RANDOM.nextInt(ID_CHARS.length)];
        }
        return new String(id);
    }

    public static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** A fresh secret for the token {@code id}. */
    public static String newSecret(String id) {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        return PREFIX + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** The id a presented token names: its own for our format, {@link #FOREIGN_ADMIN_ID} for anything else. */
    public static String idOf(String token) {
        Matcher matcher = FORMAT.matcher(token);
        return matcher.matches() ? matcher.group(1) : FOREIGN_ADMIN_ID;
    }

    public static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** Constant-time comparison of a presented token with a stored hash. */
    public static boolean matches(String token, String storedSha256) {
        return MessageDigest.isEqual(sha256(token).getBytes(StandardCharsets.US_ASCII),
                storedSha256.getBytes(StandardCharsets.US_ASCII));
    }
}
