package io.lbmanager.testsupport.singularity;

/**
 * One task of the simulated Singularity: a real container. {@code cleaningUntil} is 0 while the
 * task is active; a task being cleaned is out of the load balancer (not listed as healthy) until
 * its container is stopped at that time.
 */
final class SimTask {

    final String id;
    final String requestId;
    final String deployId;
    final long startedAt;
    final int instanceNo;
    final int trafficPort;
    final int adminPort;
    final String image;
    boolean healthy;
    long cleaningUntil;

    SimTask(String id, String requestId, String deployId, long startedAt, int instanceNo, int trafficPort, int adminPort,
            String image) {
        this.id = id;
        this.requestId = requestId;
        this.deployId = deployId;
        this.startedAt = startedAt;
        this.instanceNo = instanceNo;
        this.trafficPort = trafficPort;
        this.adminPort = adminPort;
        this.image = image;
    }

    boolean active() {
        return cleaningUntil == 0;
    }
}
