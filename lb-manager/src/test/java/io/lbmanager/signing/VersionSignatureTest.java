package io.lbmanager.signing;

import io.lbmanager.contract.BundleCodec;
import io.lbmanager.contract.ConfigBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionSignatureTest {

    private static final KeyPair MANAGER = SigningKeys.generate();
    private static final byte[] NODE = BundleCodec.encode(ConfigBundle.of("edge", Map.of("nginx.conf", "events {}\n")));

    private final VersionSigner signer = new VersionSigner(MANAGER.getPrivate());
    private final VersionVerifier verifier = new VersionVerifier(MANAGER.getPublic());

    @Test
    void aVersionSignedByTheManagersKeyIsAccepted() {
        assertThat(verifier.check("edge", 7, NODE, signer.sign("edge", 7, NODE))).isEmpty();
    }

    @Test
    void tamperedBytesAnotherVersionNumberOrAnotherGroupAreRefused() {
        VersionSignature signature = signer.sign("edge", 7, NODE);
        byte[] tampered = NODE.clone();
        tampered[tampered.length - 9] ^= 1;
        assertThat(verifier.check("edge", 7, tampered, signature)).get().asString().contains("bad signature on version 7");
        assertThat(verifier.check("edge", 8, NODE, signature)).get().asString().contains("bad signature");
        assertThat(verifier.check("internal", 7, NODE, signature)).get().asString().contains("bad signature");
    }

    @Test
    void unsignedOrSignedWithAnotherKeyIsRefused() {
        assertThat(verifier.check("edge", 7, NODE, null)).get().asString().contains("unsigned");
        VersionSignature other = new VersionSigner(SigningKeys.generate().getPrivate()).sign("edge", 7, NODE);
        assertThat(verifier.check("edge", 7, NODE, other)).get().asString().contains("key other than the manager's");
        assertThat(verifier.check("edge", 7, NODE, new VersionSignature("Ed25519", "AAAA"))).get().asString().contains("bad signature");
        assertThat(verifier.check("edge", 7, NODE, new VersionSignature("Ed25519", "%%%"))).get().asString().contains("not base64");
        assertThat(verifier.check("edge", 7, NODE, new VersionSignature("RSA", other.signature()))).get().asString().contains("RSA");
    }

    @Test
    void keygenFilesLoadAndAMismatchedPublicKeyIsRefusedAtStart(@TempDir Path dir) throws Exception {
        KeyPair pair = KeygenCommand.write(dir.resolve("a"));
        VersionSigner loaded = VersionSigner.load(dir.resolve("a/" + KeygenCommand.PRIVATE_FILE), dir.resolve("a/" + KeygenCommand.PUBLIC_FILE));
        VersionVerifier fromBase64 = new VersionVerifier(SigningKeys.parsePublicKey(SigningKeys.publicKeyBase64(pair.getPublic()), "env"));
        assertThat(fromBase64.check("edge", 1, NODE, loaded.sign("edge", 1, NODE))).isEmpty();
        assertThat(Files.getPosixFilePermissions(dir.resolve("a/" + KeygenCommand.PRIVATE_FILE)))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        KeygenCommand.write(dir.resolve("b"));
        assertThatThrownBy(() -> VersionSigner.load(dir.resolve("a/" + KeygenCommand.PRIVATE_FILE), dir.resolve("b/" + KeygenCommand.PUBLIC_FILE)))
                .hasMessageContaining("is not the public key of");
        assertThatThrownBy(() -> KeygenCommand.write(dir.resolve("a"))).hasMessageContaining("already holds a signing key");
    }

    @Test
    void keysMadeByOpensslWork(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("key.pem");
        Path pub = dir.resolve("pub.pem");
        if (!run("openssl", "genpkey", "-algorithm", "ed25519", "-out", key.toString())
                || !run("openssl", "pkey", "-in", key.toString(), "-pubout", "-out", pub.toString())) {
            System.out.println("SKIPPED keysMadeByOpensslWork: no openssl with Ed25519 on this host");
            org.junit.jupiter.api.Assumptions.abort("openssl with Ed25519 is not available");
        }
        VersionSigner signer = VersionSigner.load(key, pub);
        assertThat(new VersionVerifier(SigningKeys.readPublicKey(pub)).check("edge", 3, NODE, signer.sign("edge", 3, NODE))).isEmpty();
    }

    private static boolean run(String... command) throws Exception {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(20, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (java.io.IOException notInstalled) {
            return false;
        }
    }
}
