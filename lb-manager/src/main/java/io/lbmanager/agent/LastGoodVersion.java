package io.lbmanager.agent;

import io.lbmanager.contract.BundleCodec;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.signing.VersionSignature;
import io.lbmanager.signing.VersionVerifier;
import io.lbmanager.zk.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.Optional;

/**
 * The last version this agent applied, kept on disk exactly as ZooKeeper held it (the version
 * node's bytes and the manager's signature), so that an agent restarted while ZooKeeper is down
 * serves it again, after checking it as it would check a version read from ZooKeeper.
 * {@code {runtimeDir}/last-good/version.json}, replaced in one rename.
 */
final class LastGoodVersion {

    /** What is stored: the version, its sha256, the version node (base64) and its signature (null when unsigned). */
    record Stored(String group, long version, String sha256, String node, VersionSignature signature) {
    }

    /** A stored version that passed every check, or why it did not. */
    sealed interface Loaded {
        record Usable(ServedVersion version, ConfigBundle bundle) implements Loaded {
        }

        record Refused(long version, String reason) implements Loaded {
        }
    }

    private final Path file;

    LastGoodVersion(Path runtimeDir) {
        this.file = runtimeDir.resolve("last-good").resolve("version.json");
    }

    Path file() {
        return file;
    }

    void remember(String group, ServedVersion version, byte[] node, VersionSignature signature) throws IOException {
        Files.createDirectories(file.getParent());
        Path temporary = file.resolveSibling(".version.json.tmp");
        Files.write(temporary, Json.write(new Stored(group, version.version(), version.sha256(),
                Base64.getEncoder().encodeToString(node), signature)));
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The stored version, checked like one read from ZooKeeper (group, signature when a key is given, sha256); empty when none is stored. */
    Optional<Loaded> load(String group, Optional<VersionVerifier> signatures) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Stored stored;
        byte[] node;
        try {
            stored = Json.read(file.toString(), bytes, Stored.class);
            node = Base64.getDecoder().decode(stored.node() == null ? "" : stored.node());
        } catch (RuntimeException e) {
            return Optional.of(new Loaded.Refused(0, file + " is unreadable: " + e.getMessage()));
        }
        if (!group.equals(stored.group())) {
            return Optional.of(new Loaded.Refused(stored.version(), file + " holds a version of group " + stored.group()));
        }
        if (signatures.isPresent()) {
            Optional<String> refusal = signatures.get().check(group, stored.version(), node, stored.signature());
            if (refusal.isPresent()) {
                return Optional.of(new Loaded.Refused(stored.version(), "refused: " + refusal.get()));
            }
        }
        ConfigBundle bundle;
        try {
            bundle = BundleCodec.decode(file.toString(), node);
        } catch (RuntimeException e) {
            return Optional.of(new Loaded.Refused(stored.version(), e.getMessage()));
        }
        if (!bundle.sha256().equals(stored.sha256()) || !group.equals(bundle.group())) {
            return Optional.of(new Loaded.Refused(stored.version(), file + " holds a bundle whose sha256 or group does not match"));
        }
        return Optional.of(new Loaded.Usable(new ServedVersion(stored.version(), stored.sha256()), bundle));
    }
}
