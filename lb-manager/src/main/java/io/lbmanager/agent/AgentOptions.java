package io.lbmanager.agent;

import io.lbmanager.zk.ZkLayout;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's command line, each option with environment fallbacks in the order listed (the
 * variables Singularity/Mesos set for a task come last), then a default.
 */
final class AgentOptions {

    record Option(String flag, String dest, List<String> env, String fallback, String help) {
    }

    static final Option ZK = new Option("--zk", "zk", List.of("LBM_ZK"), null, "ZooKeeper connect string");
    static final Option ZK_ROOT = new Option("--zk-root", "zkRoot", List.of("LBM_ZK_ROOT"), ZkLayout.DEFAULT_ROOT,
            "ZooKeeper root of lb-manager");
    static final Option GROUP = new Option("--group", "group", List.of("LBM_GROUP"), null, "LB group this Nginx serves");
    static final Option AGENT_ID = new Option("--agent-id", "agentId", List.of("LBM_AGENT_ID", "TASK_ID"), null,
            "agent id in ZooKeeper (default: hostname-trafficPort)");
    static final Option HOST = new Option("--host", "host", List.of("LBM_HOST", "TASK_HOST"), "127.0.0.1",
            "address Nginx and the admin server listen on, and the agent reports");
    static final Option TRAFFIC_PORT = new Option("--traffic-port", "trafficPort", List.of("LBM_TRAFFIC_PORT", "PORT0"), null,
            "port Nginx serves traffic on (LBM_TRAFFIC_PORT: a group's stable port)");
    static final Option ADMIN_PORT = new Option("--admin-port", "adminPort", List.of("PORT1"), null,
            "port of the agent's /health, /ready and /status");
    static final Option NGINX = new Option("--nginx", "nginx", List.of(), "nginx", "nginx binary");
    static final Option RUNTIME_DIR = new Option("--runtime-dir", "runtimeDir", List.of(), "/var/lib/lb-manager",
            "Nginx prefix: version directories, live symlink, pid, logs, temp files");

    static final Option ZK_AUTH = new Option("--zk-auth", "zkAuth", List.of(AgentEnvironment.ZK_AUTH), null,
            "user:password for ZooKeeper digest ACLs, the manager's zookeeper.auth.agent (prefer the env: flags show in ps)");
    static final Option SIGNING_KEY = new Option("--signing-public-key", "signingPublicKey", List.of(AgentEnvironment.SIGNING_PUBLIC_KEY), null,
            "the manager's Ed25519 public key (base64 or PEM): only versions it signed are served");
    static final Option SIGNING_KEY_FILE = new Option("--signing-public-key-file", "signingPublicKeyFile",
            List.of("LBM_SIGNING_PUBLIC_KEY_FILE"), null, "a PEM file with that key, instead of the key itself");

    static final Option USAGE_INTERVAL = new Option("--usage-interval-seconds", "usageIntervalSeconds",
            List.of("LBM_USAGE_INTERVAL_SECONDS"), "10", "how often usage counters are read from Nginx and shipped to ZooKeeper");

    static final Option ZONE = new Option("--zone", "zone", List.of(AgentEnvironment.ZONE), null,
            "zone of this Nginx's task: its Lua balancer prefers upstreams of this zone (else Singularity's TASK_RACK_ID, lower-cased)");
    /** Singularity's rack of the task: the zone when none is given, made a zone name (lower case, {@code _} as {@code -}). */
    static final String RACK = "TASK_RACK_ID";

    static final Option MAX_OLD_GENERATIONS = new Option("--max-old-generations", "maxOldGenerations",
            List.of("LBM_MAX_OLD_GENERATIONS"), OldGenerationBound.DEFAULT.toString(),
            "old Nginx worker generations a reload may leave draining long requests (1.." + OldGenerationBound.LARGEST
                    + "); before a reload that would leave more, the oldest is ended and its requests cut; off: no bound");

    static final List<Option> ALL = List.of(ZK, ZK_ROOT, GROUP, AGENT_ID, HOST, TRAFFIC_PORT, ADMIN_PORT, NGINX, RUNTIME_DIR,
            ZK_AUTH, SIGNING_KEY, SIGNING_KEY_FILE, USAGE_INTERVAL, ZONE, MAX_OLD_GENERATIONS);

    private AgentOptions() {
    }

    static void addTo(Subparser parser) {
        for (Option option : ALL) {
            String env = option.env().isEmpty() ? "" : " [env " + String.join(", ", option.env()) + "]";
            String fallback = option.fallback() == null ? "" : " (default " + option.fallback() + ")";
            parser.addArgument(option.flag()).dest(option.dest()).help(option.help() + env + fallback);
        }
    }

    /** Resolves every option; the exception names the flag and variables of a missing or bad value. */
    static AgentSettings resolve(Namespace namespace, Map<String, String> env) {
        int trafficPort = port(namespace, env, TRAFFIC_PORT);
        String agentId = value(namespace, env, AGENT_ID).orElseGet(() -> hostName() + "-" + trafficPort);
        return new AgentSettings(
                required(namespace, env, ZK),
                value(namespace, env, ZK_ROOT).orElseThrow(),
                required(namespace, env, GROUP),
                agentId,
                value(namespace, env, HOST).orElseThrow(),
                trafficPort,
                port(namespace, env, ADMIN_PORT),
                value(namespace, env, NGINX).orElseThrow(),
                Path.of(value(namespace, env, RUNTIME_DIR).orElseThrow()),
                value(namespace, env, ZK_AUTH).orElse(null),
                signingPublicKey(namespace, env).orElse(null),
                usageInterval(namespace, env),
                zone(namespace, env),
                OldGenerationBound.parse(value(namespace, env, MAX_OLD_GENERATIONS).orElseThrow(),
                        MAX_OLD_GENERATIONS.flag() + " (or env " + String.join(" / ", MAX_OLD_GENERATIONS.env()) + ")"));
    }

    /** {@code --zone} or {@code LBM_ZONE} as given (a bad one stops the agent, naming it), else the task's rack if it makes a zone name. */
    private static String zone(Namespace namespace, Map<String, String> env) {
        Optional<String> given = value(namespace, env, ZONE);
        if (given.isPresent()) {
            return given.get();
        }
        String rack = env.get(RACK);
        if (rack == null || rack.isBlank()) {
            return null;
        }
        String zone = rack.strip().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        return io.lbmanager.zones.ZoneName.valid(zone) ? zone : null;
    }

    private static java.time.Duration usageInterval(Namespace namespace, Map<String, String> env) {
        String text = value(namespace, env, USAGE_INTERVAL).orElseThrow();
        try {
            return java.time.Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(USAGE_INTERVAL.flag() + " must be a number of seconds, was '" + text + "'");
        }
    }

    private static Optional<String> signingPublicKey(Namespace namespace, Map<String, String> env) {
        Optional<String> key = value(namespace, env, SIGNING_KEY);
        if (key.isPresent()) {
            return key;
        }
        Optional<String> file = value(namespace, env, SIGNING_KEY_FILE);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(java.nio.file.Files.readString(Path.of(file.get())));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(SIGNING_KEY_FILE.flag() + ": cannot read " + file.get() + ": " + e.getMessage());
        }
    }

    private static Optional<String> value(Namespace namespace, Map<String, String> env, Option option) {
        String given = namespace.getString(option.dest());
        if (given != null && !given.isBlank()) {
            return Optional.of(given.strip());
        }
        for (String name : option.env()) {
            String fromEnv = env.get(name);
            if (fromEnv != null && !fromEnv.isBlank()) {
                return Optional.of(fromEnv.strip());
            }
        }
        return Optional.ofNullable(option.fallback());
    }

    private static String required(Namespace namespace, Map<String, String> env, Option option) {
        return value(namespace, env, option).orElseThrow(() -> new IllegalArgumentException(
                option.flag() + " is required" + (option.env().isEmpty() ? "" : " (or env " + String.join(" / ", option.env()) + ")")));
    }

    private static int port(Namespace namespace, Map<String, String> env, Option option) {
        String text = required(namespace, env, option);
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option.flag() + " must be a port number, was '" + text + "'");
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "agent";
        }
    }
}
