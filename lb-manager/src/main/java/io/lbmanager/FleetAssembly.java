package io.lbmanager;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.config.FleetConfig;
import io.lbmanager.fleet.DockerClients;
import io.lbmanager.fleet.DockerFleetBackend;
import io.lbmanager.fleet.DockerTaskRunner;
import io.lbmanager.fleet.FleetBackend;
import io.lbmanager.fleet.StablePorts;
import io.lbmanager.fleet.TaskProbes;
import io.lbmanager.fleet.singularity.SingularityFleet;
import io.lbmanager.fleet.singularity.SingularityHttp;
import io.lbmanager.upgrade.UpgradeOperations;
import io.lbmanager.upgrade.UpgradePolicy;
import io.lbmanager.upgrade.UpgradeSettings;
import io.lbmanager.upgrade.UpgradeStore;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.zk.ZkNodes;
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
 * @param docker     the Docker task runner when the backend is {@code docker} (demo clean-up), else null
 */
public record FleetAssembly(FleetBackend backend, UpgradeOperations operations, List<Managed> managed, DockerTaskRunner docker) {

    /**
     * @param agentZooKeeper the connect string the agents use (Docker backend)
     * @param agentEnv       what every agent the fleet starts gets in its environment besides that
     * @param groupExists    whether an LB group is declared (the catalog's answer)
     * @param isLeader       whether this manager advances upgrades (one manager does, the leader)
     * @return empty when {@code fleet.backend} is {@code none}
     */
    public static Optional<FleetAssembly> create(FleetConfig config, CuratorFramework client, ZkLayout layout,
                                                 String agentZooKeeper, java.util.Map<String, String> agentEnv,
                                                 Predicate<String> groupExists,
                                              java.util.function.BooleanSupplier isLeader) {
        FleetBackend backend;
        DockerTaskRunner docker = null;
        List<Managed> managed = new ArrayList<>();
        StablePorts stablePorts = new StablePorts(config.stablePorts);
        switch (config.backend) {
            case NONE -> {
                return Optional.empty();
            }
            case DOCKER -> {
                stablePorts.requireRoomFor(config.instances);
                docker = new DockerTaskRunner(DockerClients.local(), config.image, config.name, agentZooKeeper, layout.root(),
                        agentEnv, stablePorts).inZones(config.zones);
                DockerFleetBackend generations = new DockerFleetBackend(docker, new ZkNodes(client), layout, config.instances,
                        Duration.ofMillis(config.drainMillis));
                managed.add(generations);
                backend = generations;
            }
            case SINGULARITY -> {
                FleetConfig.SingularityConfig singularity = config.singularity;
                backend = new SingularityFleet(new SingularityHttp(singularity.baseUrl, Optional.of(singularity.authHeader),
                        Duration.ofMillis(singularity.connectTimeoutMs), Duration.ofMillis(singularity.requestTimeoutMs),
                        singularity.retries), singularity.requestPrefix, agentEnv, stablePorts, Duration.ofMillis(config.drainMillis));
            }
            default -> throw new IllegalArgumentException("unknown fleet backend " + config.backend);
        }
        TaskProbes probes = new TaskProbes(Duration.ofMillis(1000));
        FleetConfig.UpgradeConfig upgrade = config.upgrade;
        UpgradePolicy policy = new UpgradePolicy(backend, probes, new UpgradePolicy.Timing(
                Duration.ofSeconds(upgrade.stepTimeoutSeconds), Duration.ofSeconds(upgrade.holdMarginSeconds),
                Duration.ofSeconds(Math.max(1, upgrade.holdMarginSeconds / 3))), System::currentTimeMillis);
        UpgradeOperations operations = new UpgradeOperations(policy, probes, new UpgradeStore(client, layout), groupExists,
                new UpgradeSettings(upgrade.stepSize, upgrade.bakeSeconds, upgrade.maxErrorRate, upgrade.crashBudget),
                Duration.ofMillis(upgrade.tickMillis), System::currentTimeMillis).tickingOnlyWhen(isLeader);
        managed.add(operations);
        return Optional.of(new FleetAssembly(backend, operations, List.copyOf(managed), docker));
    }

    /** Stops the fleet's parts and removes every task a Docker fleet started (the demo's clean-up on exit). */
    public void removeEverything() {
        for (Managed part : managed) {
            try {
                part.stop();
            } catch (Exception e) {
                // stopping everything anyway
            }
        }
        if (docker != null) {
            docker.removeAllTasks();
        }
    }
}
