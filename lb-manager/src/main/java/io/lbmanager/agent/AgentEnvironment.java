package io.lbmanager.agent;

import io.lbmanager.signing.SigningKeys;

import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What the manager puts into the environment of every agent its fleet starts, besides where to connect. */
public final class AgentEnvironment {

    public static final String ZK_AUTH = "LBM_ZK_AUTH";
    public static final String SIGNING_PUBLIC_KEY = "LBM_SIGNING_PUBLIC_KEY";
    /** The zone of an Nginx task: read by the agent, and by Nginx's Lua balancer (the agent sets it for Nginx). */
    public static final String ZONE = "LBM_ZONE";

    private AgentEnvironment() {
    }

    /** @param zkAuth the manager's {@code zookeeper.auth.agent}, blank when agents need none */
    public static Map<String, String> of(String zkAuth, Optional<PublicKey> signingKey) {
        Map<String, String> env = new LinkedHashMap<>();
        if (!zkAuth.isBlank()) {
            env.put(ZK_AUTH, zkAuth);
        }
        signingKey.ifPresent(key -> env.put(SIGNING_PUBLIC_KEY, SigningKeys.publicKeyBase64(key)));
        return Map.copyOf(env);
    }
}
