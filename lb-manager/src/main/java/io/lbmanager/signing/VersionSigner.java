package io.lbmanager.signing;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/** Signs each version the manager publishes with the private key from {@code signing.privateKeyFile}. */
public final class VersionSigner {

    private final PrivateKey key;

    public VersionSigner(PrivateKey key) {
        this.key = key;
    }

    /**
     * Loads the private key; with a public key file too, proves the two are a pair, so a manager
     * never starts publishing versions its agents would all refuse.
     */
    public static VersionSigner load(Path privateKeyFile, Path publicKeyFileOrNull) {
        VersionSigner signer = new VersionSigner(SigningKeys.readPrivateKey(privateKeyFile));
        if (publicKeyFileOrNull != null) {
            PublicKey publicKey = SigningKeys.readPublicKey(publicKeyFileOrNull);
            VersionSignature signature = signer.sign("key-check", 0, new byte[0]);
            if (new VersionVerifier(publicKey).check("key-check", 0, new byte[0], signature).isPresent()) {
                throw new IllegalArgumentException("signing.publicKeyFile " + publicKeyFileOrNull
                        + " is not the public key of signing.privateKeyFile " + privateKeyFile);
            }
        }
        return signer;
    }

    public VersionSignature sign(String group, long version, byte[] versionNode) {
        try {
            Signature ed25519 = Signature.getInstance(SigningKeys.ALGORITHM);
            ed25519.initSign(key);
            ed25519.update(VersionSignature.signedText(group, version, versionNode));
            return new VersionSignature(SigningKeys.ALGORITHM, Base64.getEncoder().encodeToString(ed25519.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign version " + version + " of group " + group + ": " + e.getMessage(), e);
        }
    }
}
