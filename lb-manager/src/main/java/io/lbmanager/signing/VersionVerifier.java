package io.lbmanager.signing;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Optional;

/** The agent's check that a version was signed by the manager's key: the reason to refuse it, if any. */
public final class VersionVerifier {

    private final PublicKey key;

    public VersionVerifier(PublicKey key) {
        this.key = key;
    }

    /** Empty when the signature covers exactly this group, version and node; else why the version must be refused. */
    public Optional<String> check(String group, long version, byte[] versionNode, VersionSignature signature) {
        if (signature == null) {
            return Optional.of("version " + version + " is unsigned; this agent accepts only versions signed by the manager's key");
        }
        if (!SigningKeys.ALGORITHM.equals(signature.algorithm())) {
            return Optional.of("version " + version + " is signed with " + signature.algorithm() + ", expected " + SigningKeys.ALGORITHM);
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(signature.signature() == null ? "" : signature.signature());
        } catch (IllegalArgumentException e) {
            return Optional.of("version " + version + " has a malformed signature (not base64)");
        }
        try {
            Signature ed25519 = Signature.getInstance(SigningKeys.ALGORITHM);
            ed25519.initVerify(key);
            ed25519.update(VersionSignature.signedText(group, version, versionNode));
            if (ed25519.verify(bytes)) {
                return Optional.empty();
            }
        } catch (java.security.SignatureException e) {
            // a signature of the wrong length: refused below like any other bad one
        } catch (GeneralSecurityException e) {
            return Optional.of("cannot check the signature of version " + version + ": " + e.getMessage());
        }
        return Optional.of("bad signature on version " + version + " (sha256 of its node " + VersionSignature.sha256(versionNode)
                .substring(0, 12) + "): tampered, or signed with a key other than the manager's");
    }
}
