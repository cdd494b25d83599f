package io.lbmanager.hibernation;

import io.lbmanager.config.FleetConfig;
import io.lbmanager.config.HibernationConfig;
import io.lbmanager.fleet.DockerClients;
import io.lbmanager.fleet.singularity.SingularityHttp;
import io.lbmanager.fleet.singularity.SingularityRequests;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The schedulers a service's {@code hibernation.scheduler} may name, from the manager's configuration. */
public final class Schedulers {

    private Schedulers() {
    }

    public static Map<String, Scheduler> configured(HibernationConfig hibernation, FleetConfig.SingularityConfig singularity) {
        return Map.of(
                HibernationSetting.DOCKER, new DockerBackends(DockerClients.forHost(hibernation.dockerHost)),
                HibernationSetting.SINGULARITY, new SingularityScaler(new SingularityRequests(new SingularityHttp(singularity.baseUrl,
                        Optional.of(singularity.authHeader), Duration.ofMillis(singularity.connectTimeoutMs),
                        Duration.ofMillis(singularity.requestTimeoutMs), singularity.retries))));
    }
}
