package io.lbmanager.testsupport.singularity;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A pending deploy of the simulated Singularity and its canary progress. */
final class SimDeploy {

    final String requestId;
    final String deployId;
    final ObjectNode json;
    final long timestamp;
    final String user;
    int target;
    boolean stepLaunchComplete;
    long stepTimestamp;
    int cyclesDone;
    boolean cancelRequested;
    int taskFailures;

    SimDeploy(String requestId, String deployId, ObjectNode json, long timestamp, String user) {
        this.requestId = requestId;
        this.deployId = deployId;
        this.json = json;
        this.timestamp = timestamp;
        this.user = user;
        this.stepTimestamp = timestamp;
    }

    boolean canary() {
        return json.path("canaryDeploySettings").path("enableCanaryDeploy").asBoolean(false);
    }

    int groupSize() {
        return json.path("canaryDeploySettings").path("instanceGroupSize").asInt(1);
    }

    String acceptanceMode() {
        return json.path("canaryDeploySettings").path("acceptanceMode").asText("NONE");
    }

    int allowedFailures() {
        return json.path("canaryDeploySettings").path("allowedTasksFailuresPerGroup").asInt(0);
    }

    long waitMillis() {
        return json.path("canaryDeploySettings").path("waitMillisBetweenGroups").asLong(0);
    }

    int cycleCount() {
        return json.path("canaryDeploySettings").path("canaryCycleCount").asInt(3);
    }

    String image() {
        return json.path("containerInfo").path("docker").path("image").asText();
    }

    long startupTimeoutMillis() {
        return json.path("healthcheck").path("startupTimeoutSeconds").asLong(45) * 1000;
    }

    long deployTimeoutMillis() {
        return json.path("deployHealthTimeoutSeconds").asLong(120) * 1000 + startupTimeoutMillis();
    }
}
