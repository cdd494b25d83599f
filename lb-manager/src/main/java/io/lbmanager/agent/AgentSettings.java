package io.lbmanager.agent;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything one agent needs to know about where it runs: the ZooKeeper ensemble and root, its
 * LB group and id, the address and ports its Nginx listens on, and where it keeps versions.
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
        Path runtimeDir) {

    public AgentSettings {
        Objects.requireNonNull(zkConnect, "zkConnect");
        Objects.requireNonNull(zkRoot, "zkRoot");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(nginxBinary, "nginxBinary");
        Objects.requireNonNull(runtimeDir, "runtimeDir");
        if (!host.matches("[A-Za-z0-9.:\\[\\]-]+")) {
            throw new IllegalArgumentException("host must be an IP address or host name, was '" + host + "'");
        }
        requirePort("trafficPort", trafficPort);
        requirePort("adminPort", adminPort);
        if (trafficPort == adminPort) {
            throw new IllegalArgumentException("traffic and admin port must differ, both are " + trafficPort);
        }
    }

    private static void requirePort(String name, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + " must be 1..65535, was " + port);
        }
    }
}
