package io.lbmanager.hibernation;

import io.lbmanager.fleet.singularity.SingularityRequests;

/**
 * A service run as a Singularity request: hibernating pauses the request (its tasks are killed;
 * Singularity refuses a scale to 0 instances), waking unpauses it (its instance count never changed).
 */
public final class SingularityScaler implements Scheduler {

    private final SingularityRequests requests;

    public SingularityScaler(SingularityRequests requests) {
        this.requests = requests;
    }

    @Override
    public int scaleToZero(String requestId) {
        int instances = requests.instances(requestId);
        requests.pause(requestId, "lb-manager: hibernate " + requestId + " (no request for its idle time)");
        return instances;
    }

    @Override
    public void scaleUp(String requestId, int instances) {
        requests.unpause(requestId, "lb-manager: wake " + requestId + " (a request arrived)");
    }
}
