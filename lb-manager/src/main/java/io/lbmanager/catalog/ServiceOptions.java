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

    public static final SortedMap<String, OptionSpec> ALLOWED = Collections.unmodifiableSortedMap(new TreeMap<>(Map.of(
            "proxyConnectTimeoutMs", new OptionSpec.IntRange(1, 600_000),
            "proxyReadTimeoutMs", new OptionSpec.IntRange(1, 3_600_000),
            "proxySendTimeoutMs", new OptionSpec.IntRange(1, 3_600_000),
            "clientMaxBodySizeMb", new OptionSpec.IntRange(0, 10_240),
            "keepaliveConnections", new OptionSpec.IntRange(0, 1024),
            "maxFails", new OptionSpec.IntRange(0, 100),
            "failTimeoutSeconds", new OptionSpec.IntRange(1, 3600),
            "loadBalancing", new OptionSpec.OneOf(List.of("round_robin", "least_conn", "ip_hash")),
            "stripBasePath", new OptionSpec.Flag(),
            "websocket", new OptionSpec.Flag())));

    private ServiceOptions() {
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
