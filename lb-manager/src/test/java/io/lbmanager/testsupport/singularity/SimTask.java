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
    long nextHealthcheckAt;
    int badHealthchecks;
    long cleaningUntil;
    /** Set when the task ended by itself: Mesos' final state, message and reason, and what it wrote to stderr. */
    String finalState;
    String finalMessage;
    String finalReason;
    long finishedAt;
    byte[] stderr = new byte[0];

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

    /** Whether the task got as far as a sandbox (a container that ran). */
    boolean started() {
        return trafficPort > 0;
    }

    void ended(String state, String message, String reason, byte[] stderrBytes) {
        finalState = state;
        finalMessage = message;
        finalReason = reason;
        finishedAt = System.currentTimeMillis();
        stderr = stderrBytes;
    }
}
