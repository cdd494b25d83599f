package io.lbmanager.hibernation;

/**
 * A service's hibernation as the status API shows it.
 *
 * @param state       {@value #OFF} (no hibernation option), {@value #AWAKE}, {@code hibernated} or {@code waking}
 * @param sinceMillis when it entered a hibernated or waking state (0 while awake)
 * @param idleMillis  how long no Nginx of its groups has seen a request, as this manager measured (0 unless awake)
 * @param wakes       wake-ups this manager ordered for the service since it started (each one scale-up)
 */
public record HibernationStatus(String state, int idleSeconds, long sinceMillis, long idleMillis, long wakes) {

    public static final String OFF = "off";
    public static final String AWAKE = "awake";
}
