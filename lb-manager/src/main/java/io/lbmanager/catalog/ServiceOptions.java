package io.lbmanager.catalog;

import io.lbmanager.errors.InvalidInputException;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The only options a service may set, each with its type and range. An absent option means the
 * template's default (see docs/api.md). Nothing outside this list ever reaches the Nginx config.
 */
public final class ServiceOptions {

    /**
     * Scale to zero when idle: {@code scheduler} runs the service's instances ({@code singularity}: {@code handle} is a
     * request id; {@code docker}: {@code handle} is the value of the label {@code lb-manager.backend} on its containers
     * on the manager's Docker engine); see io.lbmanager.hibernation.
     */
    public static final OptionSpec HIBERNATION = new OptionSpec.Fields(
            new TreeMap<>(Map.of(
                    "scheduler", new OptionSpec.OneOf(List.of("docker", "singularity")),
                    "handle", new OptionSpec.Text("[A-Za-z0-9][A-Za-z0-9_.-]*", 100),
                    "idleSeconds", new OptionSpec.IntRange(1, 30 * 86_400))),
            new TreeMap<>(Map.of(
                    "wakeTimeoutSeconds", new OptionSpec.IntRange(1, 600),
                    "maxHeldRequests", new OptionSpec.IntRange(0, 10_000))));

    public static final SortedMap<String, OptionSpec> ALLOWED = Collections.unmodifiableSortedMap(with(new TreeMap<>(Map.ofEntries(
            Map.entry("proxyConnectTimeoutMs", new OptionSpec.IntRange(1, 600_000)),
            Map.entry("proxyReadTimeoutMs", new OptionSpec.IntRange(1, 3_600_000)),
            Map.entry("proxySendTimeoutMs", new OptionSpec.IntRange(1, 3_600_000)),
            Map.entry("clientMaxBodySizeMb", new OptionSpec.IntRange(0, 10_240)),
            Map.entry("keepaliveConnections", new OptionSpec.IntRange(0, 1024)),
            Map.entry("maxFails", new OptionSpec.IntRange(0, 100)),
            Map.entry("failTimeoutSeconds", new OptionSpec.IntRange(1, 3600)),
            Map.entry("loadBalancing", new OptionSpec.OneOf(List.of("round_robin", "least_conn", "ip_hash"))),
            Map.entry("stripBasePath", new OptionSpec.Flag()),
            Map.entry("websocket", new OptionSpec.Flag()),
            Map.entry("zoneField", new OptionSpec.Text("[A-Za-z0-9_-]{1,64}", 64)),
            Map.entry("zonePanicPercent", new OptionSpec.IntRange(0, 100)))), "hibernation", HIBERNATION));

    private ServiceOptions() {
    }

    private static TreeMap<String, OptionSpec> with(TreeMap<String, OptionSpec> options, String key, OptionSpec spec) {
        options.put(key, spec);
        return options;
    }

    /**
     * Checks every key against the allow-list and every value against its spec; returns the options
     * sorted by key with values in stored form. A null map means no options.
     *
     * @param fieldPrefix prefix of the field named in errors, e.g. {@code options}
     */
    public static SortedMap<String, Object> validate(String fieldPrefix, Map<String, ?> raw) {
        TreeMap<String, Object> accepted = new TreeMap<>();
        if (raw == null) {
            return accepted;
        }
        for (Map.Entry<String, ?> option : new TreeMap<>(raw).entrySet()) {
            String field = fieldPrefix + "." + option.getKey();
            OptionSpec spec = ALLOWED.get(option.getKey());
            if (spec == null) {
                throw new InvalidInputException(field, "is not a known option; allowed: " + String.join(", ", ALLOWED.keySet()));
            }
            if (option.getValue() == null) {
                throw new InvalidInputException(field, "must not be null (leave the option out to use the default)");
            }
            accepted.put(option.getKey(), spec.accept(field, option.getValue()));
        }
        return accepted;
    }
}
