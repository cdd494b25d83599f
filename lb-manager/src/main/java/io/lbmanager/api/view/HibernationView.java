package io.lbmanager.api.view;

import io.lbmanager.hibernation.HibernationStatus;

/**
 * A service's hibernation: {@code off} (no {@code hibernation} option), {@code awake}, {@code hibernated}
 * (scaled to zero, its route kept) or {@code waking} (scaled up after a request, no instance in every Nginx yet).
 *
 * @param idleForMillis how long no Nginx of its groups has seen a request (while awake)
 * @param sinceMillis   when it hibernated or began waking (0 while awake)
 * @param wakes         wake-ups (each one scale-up) the answering manager ordered for it since it started
 */
public record HibernationView(String id, String state, int idleSeconds, long idleForMillis, long sinceMillis, long wakes) {

    public static HibernationView of(String id, HibernationStatus status) {
        return new HibernationView(id, status.state(), status.idleSeconds(), status.idleMillis(), status.sinceMillis(), status.wakes());
    }
}
