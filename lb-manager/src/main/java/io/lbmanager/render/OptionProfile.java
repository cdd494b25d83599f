package io.lbmanager.render;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The options of a routed service that Nginx needs directives for (a body size limit, upstream
 * keepalive, the websocket upgrade headers). Services that share them share one rendered named
 * location {@code @lbm_<name>}; everything else about a routed service (its base path, timeouts,
 * passive health, base-path stripping) travels in its {@link io.lbmanager.contract.RouteLine} and
 * is applied by Lua per request, so a new service with a known profile needs no reload.
 */
public record OptionProfile(int clientMaxBodySizeMb, int keepaliveConnections, boolean websocket) {

    public static OptionProfile of(RenderOptions options) {
        return new OptionProfile(options.clientMaxBodySizeMb(), options.keepaliveConnections(), options.websocket());
    }

    /** Names by profile (at most {@value #NAMES_KEPT}): a catalog has few profiles, and every routed service asks for its name. */
    private static final Map<OptionProfile, String> NAMES = new ConcurrentHashMap<>();
    private static final int NAMES_KEPT = 10_000;

    /** "p" and 10 hex digits of the profile's sha256: stable across managers, versions and restarts. */
    public String name() {
        String known = NAMES.get(this);
        if (known != null) {
            return known;
        }
        String name = digestName();
        if (NAMES.size() < NAMES_KEPT) {
            NAMES.put(this, name);
        }
        return name;
    }

    private String digestName() {
        String canonical = "clientMaxBodySizeMb=" + clientMaxBodySizeMb + ";keepaliveConnections=" + keepaliveConnections
                + ";websocket=" + websocket;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return "p" + HexFormat.of().formatHex(digest).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
