package io.lbmanager.hibernation;

import java.util.HashMap;
import java.util.Map;

/**
 * Since when each service has seen no request, from the request counters of the Nginx of its
 * groups: any change of a counter (or of which Nginx report one) is a request. A service first seen
 * counts as active then, so a manager that starts never hibernates anything at once.
 */
final class IdleClock {

    private record Seen(Map<String, Long> counters, long activeAtMillis) {
    }

    private final Map<String, Seen> services = new HashMap<>();

    /** @param requestsByNginx request counter per Nginx (agent id) of the service's groups */
    void observe(String service, Map<String, Long> requestsByNginx, long nowMillis) {
        Seen seen = services.get(service);
        if (seen == null || !seen.counters().equals(requestsByNginx)) {
            services.put(service, new Seen(Map.copyOf(requestsByNginx), nowMillis));
        }
    }

    /** The service counts as active now (it just woke up). */
    void active(String service, long nowMillis) {
        Seen seen = services.get(service);
        services.put(service, new Seen(seen == null ? Map.of() : seen.counters(), nowMillis));
    }

    long idleMillis(String service, long nowMillis) {
        Seen seen = services.get(service);
        return seen == null ? 0 : nowMillis - seen.activeAtMillis();
    }

    void forget(String service) {
        services.remove(service);
    }
}
