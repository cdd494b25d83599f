package io.lbmanager.agent;

import io.lbmanager.testsupport.Http;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** A ConfigAgent and its admin server on the host, with the real nginx, on free loopback ports. */
final class RunningAgent implements AutoCloseable {

    static final String NGINX = "/usr/sbin/nginx";

    final AgentSettings settings;
    final ConfigAgent agent;
    final AgentHttpServer admin;

    private RunningAgent(AgentSettings settings) throws IOException {
        this.settings = settings;
        this.agent = new ConfigAgent(settings, ConfigAgent.zooKeeperClient(settings.zkConnect()), Duration.ofSeconds(5));
        this.admin = new AgentHttpServer(settings.host(), settings.adminPort(), agent);
    }

    static RunningAgent start(String zkConnect, String zkRoot, String group, String agentId, Path runtimeDir)
            throws IOException {
        int trafficPort = Http.freePort();
        int adminPort = Http.freePort();
        while (adminPort == trafficPort) {
            adminPort = Http.freePort();
        }
        RunningAgent running = new RunningAgent(new AgentSettings(zkConnect, zkRoot, group, agentId, "127.0.0.1",
                trafficPort, adminPort, NGINX, runtimeDir));
        running.admin.start();
        running.agent.start();
        return running;
    }

    int trafficPort() {
        return settings.trafficPort();
    }

    int adminPort() {
        return settings.adminPort();
    }

    @Override
    public void close() {
        admin.close();
        agent.close();
    }
}
