package io.lbmanager.upgrade;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.config.FleetConfig;
import io.lbmanager.fleet.DockerClients;
import io.lbmanager.fleet.DockerFleet;
import io.lbmanager.fleet.DockerGenerations;
import io.lbmanager.fleet.FleetBackend;
import io.lbmanager.fleet.TaskProbes;
import io.lbmanager.fleet.ZkJson;
import io.lbmanager.fleet.singularity.SingularityFleet;
import io.lbmanager.fleet.singularity.SingularityHttp;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The fleet side of the manager built from {@code fleet:} configuration: the backend, the upgrade
 * policy and the operations the REST API calls, and what Dropwizard must start and stop.
 *
 * @param operations what {@code FleetApi.register} needs
 * @param managed    to hand to {@code environment.lifecycle().manage(...)}, in order
 * @param docker     the Docker fleet when the backend is {@code docker} (demo clean-up), else null
 */
public record FleetSetup(FleetBackend backend, FleetOperations operations, List<Managed> managed, DockerFleet docker) {

    /**
     * @param agentZooKeeper the connect string the agents use (Docker backend)
     * @param groupExists    whether an LB group is declared (the catalog's answer)
     * @param isLeader       whether this manager advances upgrades (one manager does, the leader)
     * @return empty when {@code fleet.backend} is {@code none}
     */
    public static Optional<FleetSetup> create(FleetConfig config, CuratorFramework client, ZkLayout layout,
                                              String agentZooKeeper, Predicate<String> groupExists,
                                              java.util.function.BooleanSupplier isLeader) {
        FleetBackend backend;
        DockerFleet docker = null;
        List<Managed> managed = new ArrayList<>();
        switch (config.backend) {
            case NONE -> {
                return Optional.empty();
            }
            case DOCKER -> {
                docker = new DockerFleet(DockerClients.local(), config.image, config.name, agentZooKeeper, layout.root());
                DockerGenerations generations = new DockerGenerations(docker, new ZkJson(client), layout, config.instances,
                        Duration.ofMillis(config.drainMillis));
                managed.add(generations);
                backend = generations;
            }
            case SINGULARITY -> {
                FleetConfig.SingularityConfig singularity = config.singularity;
                backend = new SingularityFleet(new SingularityHttp(singularity.baseUrl, Optional.of(singularity.authHeader),
                        Duration.ofMillis(singularity.connectTimeoutMs), Duration.ofMillis(singularity.requestTimeoutMs),
                        singularity.retries), singularity.requestPrefix);
            }
            default -> throw new IllegalArgumentException("unknown fleet backend " + config.backend);
        }
        TaskProbes probes = new TaskProbes(Duration.ofMillis(1000));
        FleetConfig.UpgradeConfig upgrade = config.upgrade;
        UpgradePolicy policy = new UpgradePolicy(backend, probes, new UpgradePolicy.Timing(
                Duration.ofSeconds(upgrade.stepTimeoutSeconds), Duration.ofSeconds(upgrade.holdMarginSeconds),
                Duration.ofSeconds(Math.max(1, upgrade.holdMarginSeconds / 3))), System::currentTimeMillis);
        FleetOperations operations = new FleetOperations(policy, probes, new UpgradeStore(client, layout), groupExists,
                new UpgradeSettings(upgrade.stepSize, upgrade.bakeSeconds, upgrade.maxErrorRate, upgrade.crashBudget),
                Duration.ofMillis(upgrade.tickMillis), System::currentTimeMillis).tickingOnlyWhen(isLeader);
        managed.add(operations);
        return Optional.of(new FleetSetup(backend, operations, List.copyOf(managed), docker));
    }
}
