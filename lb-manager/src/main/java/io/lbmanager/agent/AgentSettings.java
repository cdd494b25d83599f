package io.lbmanager.agent;

import io.lbmanager.signing.SigningKeys;
import io.lbmanager.zk.ZkCredentials;
import io.lbmanager.zones.ZoneName;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything one agent needs to know about where it runs: the ZooKeeper ensemble and root, its
 * LB group and id, the address and ports its Nginx listens on, and where it keeps versions; and
 * whom it trusts: its ZooKeeper digest credentials and the manager's signing key (either may be null).
 *
 * @param zkAuth           {@code user:password} the agent authenticates to ZooKeeper with, or null
 * @param signingPublicKey the manager's Ed25519 public key (PEM or base64): only versions it signed are served; null accepts unsigned ones
 * @param usageInterval    how often the agent reads its Nginx's usage counters and writes what grew to ZooKeeper
 * @param zone             the zone this Nginx's task runs in (its Lua balancer prefers peers of it), or null
 * @param maxOldGenerations old Nginx worker generations a reload may leave draining (the oldest are ended first)
 */
public record AgentSettings(
        String zkConnect,
        String zkRoot,
        String group,
        String agentId,
        String host,
        int trafficPort,
        int adminPort,
        String nginxBinary,
        Path runtimeDir,
        String zkAuth,
        String signingPublicKey,
        Duration usageInterval,
        String zone,
        OldGenerationBound maxOldGenerations) {

    public static final Duration DEFAULT_USAGE_INTERVAL = Duration.ofSeconds(10);

    /** With the default bound of old worker generations. */
    public AgentSettings(String zkConnect, String zkRoot, String group, String agentId, String host, int trafficPort,
                         int adminPort, String nginxBinary, Path runtimeDir, String zkAuth, String signingPublicKey,
                         Duration usageInterval, String zone) {
        this(zkConnect, zkRoot, group, agentId, host, trafficPort, adminPort, nginxBinary, runtimeDir, zkAuth, signingPublicKey,
                usageInterval, zone, OldGenerationBound.DEFAULT);
    }

    /** An agent in no zone. */
    public AgentSettings(String zkConnect, String zkRoot, String group, String agentId, String host, int trafficPort,
                         int adminPort, String nginxBinary, Path runtimeDir, String zkAuth, String signingPublicKey,
                         Duration usageInterval) {
        this(zkConnect, zkRoot, group, agentId, host, trafficPort, adminPort, nginxBinary, runtimeDir, zkAuth, signingPublicKey,
                usageInterval, null);
    }

    public AgentSettings(String zkConnect, String zkRoot, String group, String agentId, String host, int trafficPort,
                         int adminPort, String nginxBinary, Path runtimeDir, String zkAuth, String signingPublicKey) {
        this(zkConnect, zkRoot, group, agentId, host, trafficPort, adminPort, nginxBinary, runtimeDir, zkAuth, signingPublicKey,
                DEFAULT_USAGE_INTERVAL);
    }

    /** An agent that trusts whatever ZooKeeper holds (no credentials, no signing key). */
    public AgentSettings(String zkConnect, String zkRoot, String group, String agentId, String host, int trafficPort,
                         int adminPort, String nginxBinary, Path runtimeDir) {
        this(zkConnect, zkRoot, group, agentId, host, trafficPort, adminPort, nginxBinary, runtimeDir, null, null,
                DEFAULT_USAGE_INTERVAL);
    }

    public AgentSettings {
        Objects.requireNonNull(zkConnect, "zkConnect");
        Objects.requireNonNull(zkRoot, "zkRoot");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(nginxBinary, "nginxBinary");
        Objects.requireNonNull(runtimeDir, "runtimeDir");
        Objects.requireNonNull(usageInterval, "usageInterval");
        Objects.requireNonNull(maxOldGenerations, "maxOldGenerations");
        if (usageInterval.toMillis() < 100) {
            throw new IllegalArgumentException("usage interval must be at least 100 ms, was " + usageInterval.toMillis() + " ms");
        }
        if (!host.matches("[A-Za-z0-9.:\\[\\]-]+")) {
            throw new IllegalArgumentException("host must be an IP address or host name, was '" + host + "'");
        }
        requirePort("trafficPort", trafficPort);
        requirePort("adminPort", adminPort);
        if (zkAuth != null) {
            ZkCredentials.parse(zkAuth, "LBM_ZK_AUTH");
        }
        if (signingPublicKey != null) {
            SigningKeys.parsePublicKey(signingPublicKey, "the signing public key");
        }
        if (zone != null && !ZoneName.valid(zone)) {
            throw new IllegalArgumentException("zone must be " + ZoneName.RULE + ", was '" + zone + "'");
        }
        if (trafficPort == adminPort) {
            throw new IllegalArgumentException("traffic and admin port must differ, both are " + trafficPort);
        }
    }

    private static void requirePort(String name, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + " must be 1..65535, was " + port);
        }
    }

    @Override
    public String toString() {
        return "AgentSettings[group=" + group + ", agentId=" + agentId + ", zk=" + zkConnect + zkRoot
                + (zkAuth == null ? "" : ", zkAuth=" + zkAuth.substring(0, zkAuth.indexOf(':')) + ":***")
                + ", signed=" + (signingPublicKey != null) + (zone == null ? "" : ", zone=" + zone)
                + ", maxOldGenerations=" + maxOldGenerations + "]";
    }
}
