package io.lbmanager.contract;

import java.util.regex.Pattern;

/**
 * One routed service as the Lua router reads it from Nginx's {@code lbm_routes} dict: the manager
 * writes these lines into a group's routing table, the agent pushes them through
 * {@code POST /_lbm/routes}, and the Lua side parses them again with the same rules. One line:
 *
 * <pre>{@code <serviceId> <basePath> <profile> <connectMs> <sendMs> <readMs> <maxFails> <failTimeoutS> <strip 0|1>}</pre>
 *
 * {@code basePath} is normalized: "/" or "/seg/seg" without a trailing slash. A request is the
 * service's when its URI is the base path or starts with the base path and "/" (the root matches
 * everything); the longest matching base path wins: exactly what the rendered
 * {@code location = /seg} and {@code location /seg/} of a file-rendered service select.
 * {@code profile} names the rendered named location ({@code @lbm_<profile>}) that carries the
 * options Nginx needs directives for.
 */
public record RouteLine(String serviceId, String basePath, String profile, int connectTimeoutMs, int sendTimeoutMs,
                        int readTimeoutMs, int maxFails, int failTimeoutSeconds, boolean stripBasePath) {

    public static final Pattern SERVICE_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    public static final Pattern PROFILE = Pattern.compile("p[0-9a-f]{10}");
    private static final Pattern BASE_PATH = Pattern.compile("/|(/[A-Za-z0-9._~-]+)+");
    private static final int MAX_BASE_PATH = 512;
    private static final int MAX_TIMEOUT_MS = 86_400_000;
    private static final int MAX_FAILS = 1_000;
    private static final int MAX_FAIL_TIMEOUT_SECONDS = 86_400;
    private static final int FIELDS = 9;

    /** @throws IllegalArgumentException naming the field that Nginx must not read */
    public RouteLine {
        require(serviceId != null && SERVICE_ID.matcher(serviceId).matches(), "serviceId", serviceId);
        require(basePath != null && basePath.length() <= MAX_BASE_PATH && BASE_PATH.matcher(basePath).matches()
                && !basePath.contains("/./") && !basePath.endsWith("/.") && !basePath.contains("/../") && !basePath.endsWith("/.."),
                "basePath", basePath);
        require(profile != null && PROFILE.matcher(profile).matches(), "profile", profile);
        requireRange("connectTimeoutMs", connectTimeoutMs, 1, MAX_TIMEOUT_MS);
        requireRange("sendTimeoutMs", sendTimeoutMs, 1, MAX_TIMEOUT_MS);
        requireRange("readTimeoutMs", readTimeoutMs, 1, MAX_TIMEOUT_MS);
        requireRange("maxFails", maxFails, 0, MAX_FAILS);
        requireRange("failTimeoutSeconds", failTimeoutSeconds, 0, MAX_FAIL_TIMEOUT_SECONDS);
    }

    /** The line as it goes into the table and the dict, without a line break. */
    public String format() {
        return serviceId + " " + basePath + " " + profile + " " + connectTimeoutMs + " " + sendTimeoutMs + " " + readTimeoutMs
                + " " + maxFails + " " + failTimeoutSeconds + " " + (stripBasePath ? 1 : 0);
    }

    /** @throws IllegalArgumentException naming what is wrong with the line */
    public static RouteLine parse(String line) {
        if (line == null || line.length() > 1_024) {
            throw new IllegalArgumentException("route line is missing or longer than 1,024 characters");
        }
        String[] fields = line.split(" ", -1);
        if (fields.length != FIELDS) {
            throw new IllegalArgumentException("route line has " + fields.length + " space-separated fields, not " + FIELDS
                    + ": '" + excerpt(line) + "'");
        }
        String strip = fields[8];
        require(strip.equals("0") || strip.equals("1"), "stripBasePath", strip);
        return new RouteLine(fields[0], fields[1], fields[2], integer("connectTimeoutMs", fields[3]),
                integer("sendTimeoutMs", fields[4]), integer("readTimeoutMs", fields[5]), integer("maxFails", fields[6]),
                integer("failTimeoutSeconds", fields[7]), strip.equals("1"));
    }

    private static int integer(String field, String text) {
        require(text.matches("[0-9]{1,9}"), field, text);
        return Integer.parseInt(text);
    }

    private static void requireRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("route field " + field + ": " + value + " is not in " + min + ".." + max);
        }
    }

    private static void require(boolean ok, String field, String value) {
        if (!ok) {
            throw new IllegalArgumentException("route field " + field + ": '" + excerpt(String.valueOf(value)) + "' is not allowed");
        }
    }

    private static String excerpt(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
