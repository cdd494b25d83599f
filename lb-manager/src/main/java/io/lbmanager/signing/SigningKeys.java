package io.lbmanager.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 keys for signing config versions, as PEM files ({@code PRIVATE KEY}: PKCS#8,
 * {@code PUBLIC KEY}: X.509 SubjectPublicKeyInfo), the same files {@code openssl genpkey -algorithm ed25519} writes.
 */
public final class SigningKeys {

    public static final String ALGORITHM = "Ed25519";

    private SigningKeys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no " + ALGORITHM + " key generator", e);
        }
    }

    public static PrivateKey readPrivateKey(Path file) {
        byte[] der = pemBody(read(file), "PRIVATE KEY", file.toString());
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " is not an " + ALGORITHM + " private key (PKCS#8 PEM): " + e.getMessage(), e);
        }
    }

    public static PublicKey readPublicKey(Path file) {
        return parsePublicKey(read(file), file.toString());
    }

    /** A public key given as PEM text or as the base64 of its X.509 encoding (what {@code keygen} prints). */
    public static PublicKey parsePublicKey(String text, String source) {
        String trimmed = text.strip();
        byte[] der = trimmed.startsWith("-----") ? pemBody(trimmed, "PUBLIC KEY", source) : base64(trimmed, source);
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(source + " is not an " + ALGORITHM + " public key: " + e.getMessage(), e);
        }
    }

    public static String privateKeyPem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    public static String publicKeyPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    /** The one-line form agents take in {@code LBM_SIGNING_PUBLIC_KEY}. */
    public static String publicKeyBase64(PublicKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] pemBody(String pem, String type, String source) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException(source + " has no '" + begin + "' block");
        }
        return base64(pem.substring(from + begin.length(), to).replaceAll("\\s", ""), source);
    }

    private static byte[] base64(String text, String source) {
        try {
            return Base64.getDecoder().decode(text.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + " is neither PEM nor base64: " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read key file " + file + ": " + e.getMessage(), e);
        }
    }
}
