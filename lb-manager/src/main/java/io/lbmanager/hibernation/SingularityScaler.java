package io.lbmanager.hibernation;

import io.lbmanager.fleet.singularity.SingularityRequests;

/** A service run as a Singularity request: hibernating scales the request to 0 instances, waking back to what it had. */
public final class SingularityScaler implements Scheduler {

    private final SingularityRequests requests;

    public SingularityScaler(SingularityRequests requests) {
        this.requests = requests;
    }

    @Override
    public int scaleToZero(String requestId) {
        int instances = requests.instances(requestId);
        requests.scale(requestId, 0, "lb-manager: hibernate " + requestId + " (idle)");
        return instances;
    }

    @Override
    public void scaleUp(String requestId, int instances) {
        requests.scale(requestId, Math.max(1, instances), "lb-manager: wake " + requestId + " (a request arrived)");
    }
}
