package io.lbmanager.signing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The manager's signature of one published config version, stored next to it
 * ({@code ZkLayout.groupSignature}). It covers the group, the version number and the sha256 of
 * the version node's exact bytes, so neither the bundle nor its place can be changed without it failing.
 *
 * @param algorithm {@value SigningKeys#ALGORITHM}
 * @param signature base64
 */
public record VersionSignature(String algorithm, String signature) {

    /** What is signed: one line naming the format, the group, the version and the node's sha256. */
    static byte[] signedText(String group, long version, byte[] versionNode) {
        return ("lb-manager version v1\n" + group + "\n" + version + "\n" + sha256(versionNode) + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
