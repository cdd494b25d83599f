package io.lbmanager.hibernation;

import java.util.Map;
import java.util.Optional;

/**
 * A service's {@code hibernation} option, as {@code catalog.ServiceOptions} accepted it.
 *
 * @param scheduler {@value #DOCKER} or {@value #SINGULARITY}
 * @param handle    what the scheduler knows the service's instances by (a Singularity request id, a Docker label value)
 */
public record HibernationSetting(String scheduler, String handle, int idleSeconds, int wakeTimeoutSeconds, int maxHeldRequests) {

    public static final String DOCKER = "docker";
    public static final String SINGULARITY = "singularity";
    public static final int DEFAULT_WAKE_TIMEOUT_SECONDS = 30;
    public static final int DEFAULT_MAX_HELD_REQUESTS = 100;

    /** The setting in a service's stored options, if it has one. */
    public static Optional<HibernationSetting> of(Map<String, Object> options) {
        if (!(options.get("hibernation") instanceof Map<?, ?> setting)) {
            return Optional.empty();
        }
        return Optional.of(new HibernationSetting(String.valueOf(setting.get("scheduler")), String.valueOf(setting.get("handle")),
                number(setting.get("idleSeconds"), 0), number(setting.get("wakeTimeoutSeconds"), DEFAULT_WAKE_TIMEOUT_SECONDS),
                number(setting.get("maxHeldRequests"), DEFAULT_MAX_HELD_REQUESTS)));
    }

    private static int number(Object value, int fallback) {
        return value instanceof Number number ? number.intValue() : fallback;
    }
}
