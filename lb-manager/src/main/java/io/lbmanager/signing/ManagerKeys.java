package io.lbmanager.signing;

import io.lbmanager.config.SigningConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Optional;

/**
 * The manager's signing keys from {@code signing:} configuration: the signer for every version it
 * publishes, and the public key it hands to the agents its fleet starts.
 */
public record ManagerKeys(Optional<VersionSigner> signer, Optional<PublicKey> publicKey) {

    private static final Logger LOG = LoggerFactory.getLogger(ManagerKeys.class);

    /** Loads and checks the keys; without them, warns once that versions go out unsigned. */
    public static ManagerKeys load(SigningConfig config) {
        if (!config.isEnabled()) {
            LOG.warn("signing.privateKeyFile is not set: config versions are published unsigned, and agents cannot tell "
                    + "them from versions anyone else wrote to ZooKeeper");
            return new ManagerKeys(Optional.empty(), Optional.empty());
        }
        Path publicFile = config.publicKeyFile.isBlank() ? null : Path.of(config.publicKeyFile);
        VersionSigner signer = VersionSigner.load(Path.of(config.privateKeyFile), publicFile);
        if (publicFile == null) {
            LOG.warn("signing.publicKeyFile is not set: agents the fleet starts get no LBM_SIGNING_PUBLIC_KEY and accept unsigned versions");
        }
        LOG.info("signing versions with {} key={}", SigningKeys.ALGORITHM, config.privateKeyFile);
        return new ManagerKeys(Optional.of(signer), Optional.ofNullable(publicFile).map(SigningKeys::readPublicKey));
    }
}
