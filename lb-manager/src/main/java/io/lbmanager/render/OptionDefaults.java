package io.lbmanager.render;

import io.lbmanager.render.RenderOptions.LoadBalancing;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Map;

/**
 * Turns a service's stored options (JSON-ish: numbers of any width, booleans, strings) into
 * {@link RenderOptions}, filling in a default for every option that is absent. Keys outside
 * the allow-list are ignored here: they are refused at the REST door and never rendered.
 */
public final class OptionDefaults {

    public static final int PROXY_CONNECT_TIMEOUT_MS = 5_000;
    public static final int PROXY_READ_TIMEOUT_MS = 60_000;
    /** Read timeout when {@code websocket} is on and no {@code proxyReadTimeoutMs} is given. */
    public static final int WEBSOCKET_READ_TIMEOUT_MS = 3_600_000;
    public static final int PROXY_SEND_TIMEOUT_MS = 60_000;
    public static final int CLIENT_MAX_BODY_SIZE_MB = 10;
    public static final int KEEPALIVE_CONNECTIONS = 32;
    public static final int MAX_FAILS = 3;
    public static final int FAIL_TIMEOUT_SECONDS = 10;
    public static final LoadBalancing LOAD_BALANCING = LoadBalancing.ROUND_ROBIN;
    public static final boolean STRIP_BASE_PATH = false;
    public static final boolean WEBSOCKET = false;

    private OptionDefaults() {
    }

    public static RenderOptions defaults() {
        return resolve(Map.of());
    }

    /** @throws InvalidOptionException naming the option whose value has the wrong type or range */
    public static RenderOptions resolve(Map<String, Object> options) {
        boolean websocket = bool(options, "websocket", WEBSOCKET);
        return new RenderOptions(
                integer(options, "proxyConnectTimeoutMs", PROXY_CONNECT_TIMEOUT_MS),
                integer(options, "proxyReadTimeoutMs", websocket ? WEBSOCKET_READ_TIMEOUT_MS : PROXY_READ_TIMEOUT_MS),
                integer(options, "proxySendTimeoutMs", PROXY_SEND_TIMEOUT_MS),
                integer(options, "clientMaxBodySizeMb", CLIENT_MAX_BODY_SIZE_MB),
                integer(options, "keepaliveConnections", KEEPALIVE_CONNECTIONS),
                integer(options, "maxFails", MAX_FAILS),
                integer(options, "failTimeoutSeconds", FAIL_TIMEOUT_SECONDS),
                loadBalancing(options),
                bool(options, "stripBasePath", STRIP_BASE_PATH),
                websocket);
    }

    private static int integer(Map<String, Object> options, String name, int fallback) {
        Object value = options.get(name);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number number)) {
            throw new InvalidOptionException(name, "must be an integer, was " + typeOf(value));
        }
        try {
            int result = new BigDecimal(number.toString()).intValueExact();
            if (result < 0) {
                throw new InvalidOptionException(name, "must not be negative, was " + result);
            }
            return result;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new InvalidOptionException(name, "must be a whole number between 0 and " + Integer.MAX_VALUE + ", was " + number);
        }
    }

    private static boolean bool(Map<String, Object> options, String name, boolean fallback) {
        Object value = options.get(name);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Boolean b)) {
            throw new InvalidOptionException(name, "must be true or false, was " + typeOf(value));
        }
        return b;
    }

    private static LoadBalancing loadBalancing(Map<String, Object> options) {
        Object value = options.get("loadBalancing");
        if (value == null) {
            return LOAD_BALANCING;
        }
        return Arrays.stream(LoadBalancing.values())
                .filter(lb -> lb.optionValue().equals(value))
                .findFirst()
                .orElseThrow(() -> new InvalidOptionException("loadBalancing",
                        "must be one of round_robin, least_conn, ip_hash"));
    }

    private static String typeOf(Object value) {
        return value instanceof String ? "a string" : value.getClass().getSimpleName();
    }
}
