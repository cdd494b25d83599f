package io.lbmanager.fleet;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;

import java.time.Duration;

/** docker-java clients; the API version is negotiated with the engine, never pinned. */
public final class DockerClients {

    public static final String LOCAL_SOCKET = "unix:///var/run/docker.sock";

    private DockerClients() {
    }

    /** A client for the local engine's unix socket. */
    public static DockerClient local() {
        return forHost(LOCAL_SOCKET);
    }

    public static DockerClient forHost(String dockerHost) {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost)
                .build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(20)
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofSeconds(60))
                .build();
        return DockerClientImpl.getInstance(config, http);
    }
}
