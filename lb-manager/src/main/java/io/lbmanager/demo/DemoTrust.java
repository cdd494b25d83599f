package io.lbmanager.demo;

import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.signing.KeygenCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The demo runs as production should: a throwaway signing key pair and throwaway ZooKeeper
 * credentials for the manager and its agents, made at start unless the configuration names its own.
 */
final class DemoTrust {

    private static final Logger LOG = LoggerFactory.getLogger(DemoTrust.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private DemoTrust() {
    }

    static void configure(LbManagerConfiguration config) throws Exception {
        if (!config.signing.isEnabled()) {
            Path dir = Files.createTempDirectory("lbm-demo-keys");
            KeygenCommand.write(dir);
            config.signing.privateKeyFile = dir.resolve(KeygenCommand.PRIVATE_FILE).toString();
            config.signing.publicKeyFile = dir.resolve(KeygenCommand.PUBLIC_FILE).toString();
            dir.toFile().deleteOnExit();
            dir.resolve(KeygenCommand.PRIVATE_FILE).toFile().deleteOnExit();
            dir.resolve(KeygenCommand.PUBLIC_FILE).toFile().deleteOnExit();
            LOG.info("demo signs config versions with a throwaway Ed25519 key in {}", dir);
        }
        if (!config.zookeeper.auth.isEnabled()) {
            config.zookeeper.auth.manager = "lbm-manager:" + secret();
            config.zookeeper.auth.agent = "lbm-agent:" + secret();
            LOG.info("demo locks its ZooKeeper nodes with ACLs for throwaway manager and agent credentials");
        }
    }

    private static String secret() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
