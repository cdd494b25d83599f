package io.lbmanager.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which Nginx tasks the manager runs, and where: {@code none} leaves the fleet to someone else,
 * {@code docker} runs containers on the local engine, {@code singularity} runs Mesos tasks through
 * Singularity. Upgrades (steps, gates, rollback) work the same on both.
 */
public class FleetConfig {

    public enum Backend { NONE, DOCKER, SINGULARITY }

    @NotNull
    public Backend backend = Backend.NONE;

    /** The Nginx + agent image (see nginx-image/); Docker only: Singularity's deploys name their own. */
    @NotBlank
    public String image = "lb-manager/nginx:dev";

    /** Label value that tells this fleet's containers from any other fleet's on the same engine. */
    @Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,30}")
    public String name = "lbm";

    /** Nginx tasks per LB group (Docker; Singularity keeps the count in its request). */
    @NotNull
    public Map<String, Integer> instances = new LinkedHashMap<>();

    /**
     * Fixed traffic ports of groups that need stable addresses, e.g. {@code {edge: [8081, 8082]}}. Docker: a group's
     * tasks take the lowest free port of its list (at least as many ports as instances; spare ones let an upgrade
     * start new tasks beside the old); Singularity: exactly one port per group, the same on every host.
     */
    @NotNull
    public Map<String, java.util.List<Integer>> stablePorts = new LinkedHashMap<>();

    /**
     * Docker: the zone of each named group's Nginx tasks, set as their {@code LBM_ZONE}, e.g. {@code {edge-east: east}}
     * (Singularity: put {@code LBM_ZONE} in the group's deploy env).
     */
    @NotNull
    public Map<String, @Pattern(regexp = "[a-z0-9-]{1,32}", message = "must be 1 to 32 of a-z, 0-9 and -") String> zones = new LinkedHashMap<>();

    /** ZooKeeper connect string the agents use; empty means the manager's own. */
    @NotNull
    public String agentZooKeeper = "";

    /** How long a retired Nginx task (Docker: container) is left out of the fleet's task list before it is stopped. */
    @Min(0)
    @Max(600_000)
    public int drainMillis = 2000;

    @Valid
    @NotNull
    public SingularityConfig singularity = new SingularityConfig();

    @Valid
    @NotNull
    public UpgradeConfig upgrade = new UpgradeConfig();

    /** Where Singularity is and how to talk to it. */
    public static class SingularityConfig {

        /** Singularity's base URL, up to and including its context path; {@code /api/...} is appended. */
        public String baseUrl = "http://127.0.0.1:7099/singularity";

        /** Sent as the {@code Authorization} header on every call when not empty (e.g. {@code Bearer ...}). */
        @NotNull
        public String authHeader = "";

        /** A group's Singularity request id is this prefix + the group name. */
        @Pattern(regexp = "[a-zA-Z0-9_-]{0,60}")
        public String requestPrefix = "lb-nginx-";

        @Min(100)
        @Max(60_000)
        public int connectTimeoutMs = 2000;

        @Min(100)
        @Max(300_000)
        public int requestTimeoutMs = 10_000;

        /** Extra attempts for idempotent calls (GET, request create/update) after a connection error or 5xx. */
        @Min(0)
        @Max(10)
        public int retries = 2;
    }

    /** Defaults of an upgrade (a request can override the first three) and the policy's timing. */
    public static class UpgradeConfig {

        @Min(1)
        public int stepSize = 1;

        @Min(0)
        @Max(86_400)
        public int bakeSeconds = 30;

        @DecimalMin("0")
        @DecimalMax("1")
        public double maxErrorRate = 0.01;

        /** Task failures (exits, crash loops, failed starts or health checks) of the new image a step tolerates; one more fails it at once. */
        @Min(0)
        @Max(100)
        public int crashBudget = 2;

        /** How long a step's new tasks may take to become ready before the upgrade rolls back. */
        @Min(1)
        public int stepTimeoutSeconds = 300;

        /** Added to the bake time as Singularity's per-step hold (waitMillisBetweenGroups), so the policy decides first. */
        @Min(1)
        public int holdMarginSeconds = 30;

        /** How often upgrades in progress are advanced (probe rounds during a bake run at this pace). */
        @Min(50)
        @Max(60_000)
        public int tickMillis = 1000;
    }
}
