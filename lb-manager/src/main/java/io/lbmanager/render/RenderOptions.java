package io.lbmanager.render;

import java.util.LinkedHashMap;
import java.util.Map;

/** Every option a template sees, typed and with its default already applied (see {@link OptionDefaults}). */
public record RenderOptions(
        int proxyConnectTimeoutMs,
        int proxyReadTimeoutMs,
        int proxySendTimeoutMs,
        int clientMaxBodySizeMb,
        int keepaliveConnections,
        int maxFails,
        int failTimeoutSeconds,
        LoadBalancing loadBalancing,
        boolean stripBasePath,
        boolean websocket) {

    public enum LoadBalancing {
        ROUND_ROBIN("round_robin"), LEAST_CONN("least_conn"), IP_HASH("ip_hash");

        private final String optionValue;

        LoadBalancing(String optionValue) {
            this.optionValue = optionValue;
        }

        public String optionValue() {
            return optionValue;
        }
    }

    public RenderOptions {
        requireNonNegative("proxyConnectTimeoutMs", proxyConnectTimeoutMs);
        requireNonNegative("proxyReadTimeoutMs", proxyReadTimeoutMs);
        requireNonNegative("proxySendTimeoutMs", proxySendTimeoutMs);
        requireNonNegative("clientMaxBodySizeMb", clientMaxBodySizeMb);
        requireNonNegative("keepaliveConnections", keepaliveConnections);
        requireNonNegative("maxFails", maxFails);
        requireNonNegative("failTimeoutSeconds", failTimeoutSeconds);
        if (loadBalancing == null) {
            throw new InvalidOptionException("loadBalancing", "must be set");
        }
    }

    /** The map a template sees as {@code service.options}: option name to Integer, Boolean or String. */
    Map<String, Object> asTemplateModel() {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("proxyConnectTimeoutMs", proxyConnectTimeoutMs);
        model.put("proxyReadTimeoutMs", proxyReadTimeoutMs);
        model.put("proxySendTimeoutMs", proxySendTimeoutMs);
        model.put("clientMaxBodySizeMb", clientMaxBodySizeMb);
        model.put("keepaliveConnections", keepaliveConnections);
        model.put("maxFails", maxFails);
        model.put("failTimeoutSeconds", failTimeoutSeconds);
        model.put("loadBalancing", loadBalancing.optionValue());
        model.put("stripBasePath", stripBasePath);
        model.put("websocket", websocket);
        return model;
    }

    private static void requireNonNegative(String name, int value) {
        if (value < 0) {
            throw new InvalidOptionException(name, "must not be negative, was " + value);
        }
    }
}
