package io.lbmanager.signing;

import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;

/**
 * {@code lb-manager keygen DIR}: a new Ed25519 pair for signing config versions,
 * {@code DIR/lbm-signing.key} (owner-only) for the manager and {@code DIR/lbm-signing.pub} for agents.
 */
public final class KeygenCommand extends Command {

    public static final String PRIVATE_FILE = "lbm-signing.key";
    public static final String PUBLIC_FILE = "lbm-signing.pub";

    public KeygenCommand() {
        super("keygen", "Writes a new Ed25519 key pair for signing config versions (manager: .key, agents: .pub)");
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("dir").help("directory to write " + PRIVATE_FILE + " and " + PUBLIC_FILE + " into (must not hold them yet)");
    }

    @Override
    public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
        Path dir = Path.of(namespace.getString("dir"));
        KeyPair pair = write(dir);
        System.out.println("private key (signing.privateKeyFile): " + dir.resolve(PRIVATE_FILE));
        System.out.println("public key  (signing.publicKeyFile, agents' LBM_SIGNING_PUBLIC_KEY_FILE): " + dir.resolve(PUBLIC_FILE));
        System.out.println("LBM_SIGNING_PUBLIC_KEY=" + SigningKeys.publicKeyBase64(pair.getPublic()));
    }

    /** Generates a pair and writes both files; refuses to overwrite an existing key. */
    public static KeyPair write(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path privateFile = dir.resolve(PRIVATE_FILE);
        Path publicFile = dir.resolve(PUBLIC_FILE);
        if (Files.exists(privateFile) || Files.exists(publicFile)) {
            throw new IllegalArgumentException(dir + " already holds a signing key; choose another directory");
        }
        KeyPair pair = SigningKeys.generate();
        Files.createFile(privateFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(privateFile, SigningKeys.privateKeyPem(pair.getPrivate()), StandardCharsets.US_ASCII);
        Files.writeString(publicFile, SigningKeys.publicKeyPem(pair.getPublic()), StandardCharsets.US_ASCII);
        return pair;
    }
}
