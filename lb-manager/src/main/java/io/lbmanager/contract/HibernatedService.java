package io.lbmanager.contract;

/**
 * A service the manager scaled to zero, in ZooKeeper while it is hibernated or waking; what every
 * agent tells its Nginx, which then holds the service's requests instead of answering 503 at once.
 *
 * @param state              {@value #HIBERNATED} (scaled to zero) or {@value #WAKING} (scaled up, no instance in every Nginx yet)
 * @param sinceMillis        when the service entered this state
 * @param scheduler          what runs its instances ({@code docker} or {@code singularity}) and its handle there
 * @param instances          how many instances the scheduler ran before: what a wake-up asks for again
 * @param wakeTimeoutSeconds how long Nginx holds a request for the service before it answers 503
 * @param maxHeldRequests    how many requests one Nginx holds for the service at once; more get 503 at once
 * @param wakes              wake-ups of the service since it last hibernated from awake
 */
public record HibernatedService(String service, String state, long sinceMillis, String scheduler, String handle, int instances,
                                int wakeTimeoutSeconds, int maxHeldRequests, long wakes) {

    public static final String HIBERNATED = "hibernated";
    public static final String WAKING = "waking";

    public HibernatedService waking(long nowMillis) {
        return new HibernatedService(service, WAKING, nowMillis, scheduler, handle, instances, wakeTimeoutSeconds, maxHeldRequests,
                wakes + 1);
    }

    public HibernatedService hibernatedAgain(long nowMillis) {
        return new HibernatedService(service, HIBERNATED, nowMillis, scheduler, handle, instances, wakeTimeoutSeconds, maxHeldRequests,
                wakes);
    }
}
