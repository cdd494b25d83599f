package io.lbmanager.testsupport;

import io.lbmanager.agent.AgentHttpServer;
import io.lbmanager.agent.AgentSettings;
import io.lbmanager.agent.ConfigAgent;

import java.io.IOException;
import java.nio.file.Path;

/** A ConfigAgent and its admin server on the host, with the real nginx, on free loopback ports. */
public final class HostAgent implements AutoCloseable {

    public static final String NGINX = "/usr/sbin/nginx";

    public final AgentSettings settings;
    public final ConfigAgent agent;
    public final AgentHttpServer admin;

    private HostAgent(AgentSettings settings) throws IOException {
        this.settings = settings;
        this.agent = new ConfigAgent(settings, ConfigAgent.zooKeeperClient(settings), ConfigAgent.CONFIRM_TIMEOUT);
        this.admin = new AgentHttpServer(settings.host(), settings.adminPort(), agent);
    }

    public static HostAgent start(String zkConnect, String zkRoot, String group, String agentId, Path runtimeDir)
            throws IOException {
        return start(zkConnect, zkRoot, group, agentId, runtimeDir, NGINX);
    }

    /** An agent whose Nginx is {@code nginxBinary}: the real one, or a wrapper that misbehaves on purpose. */
    public static HostAgent start(String zkConnect, String zkRoot, String group, String agentId, Path runtimeDir, String nginxBinary)
            throws IOException {
        return startTrusting(zkConnect, zkRoot, group, agentId, runtimeDir, nginxBinary, null, null);
    }

    /** An agent that authenticates to ZooKeeper as {@code zkAuth} and serves only versions signed by {@code signingPublicKey}. */
    public static HostAgent startTrusting(String zkConnect, String zkRoot, String group, String agentId, Path runtimeDir,
                                          String nginxBinary, String zkAuth, String signingPublicKey) throws IOException {
        int trafficPort = Http.freePort();
        int adminPort = Http.freePort();
        while (adminPort == trafficPort) {
            adminPort = Http.freePort();
        }
        HostAgent running = new HostAgent(new AgentSettings(zkConnect, zkRoot, group, agentId, "127.0.0.1",
                trafficPort, adminPort, nginxBinary, runtimeDir, zkAuth, signingPublicKey));
        running.admin.start();
        running.agent.start();
        return running;
    }

    /** An agent with these settings (the same ports and runtime directory as one that ran before: a restarted container). */
    public static HostAgent startWith(AgentSettings settings) throws IOException {
        HostAgent running = new HostAgent(settings);
        running.admin.start();
        running.agent.start();
        return running;
    }

    public int trafficPort() {
        return settings.trafficPort();
    }

    public int adminPort() {
        return settings.adminPort();
    }

    @Override
    public void close() {
        admin.close();
        agent.close();
    }
}
