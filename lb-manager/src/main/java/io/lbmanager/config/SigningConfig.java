package io.lbmanager.config;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The key the manager signs every published config version with. Empty: versions are published
 * unsigned (as before signing existed) and the manager warns once at start.
 */
public class SigningConfig {

    /** Ed25519 private key, PKCS#8 PEM ({@code lb-manager keygen DIR} or {@code openssl genpkey -algorithm ed25519}). */
    public String privateKeyFile = "";

    /**
     * Its public key, X.509 PEM: checked against the private key at start, and handed to the agents
     * the fleet starts ({@code LBM_SIGNING_PUBLIC_KEY}).
     */
    public String publicKeyFile = "";

    @JsonIgnore
    public boolean isEnabled() {
        return !privateKeyFile.isBlank();
    }
}
