package io.lbmanager.fleet.singularity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;

/**
 * The parts of Singularity 1.5.0's JSON that lb-manager sends or reads (field names from
 * SingularityBase's model classes). Unknown fields are ignored on the way in; a deploy is carried
 * as a JSON object so that every field an operator set in singularity-deploys/ survives a new
 * generation.
 */
public final class SingularityModel {

    private SingularityModel() {
    }

    /** {@code POST /api/requests}: a SingularityRequest. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Request(String id, String requestType, List<String> owners, Integer instances, Boolean loadBalanced,
                          Boolean rackSensitive, String agentPlacement, Map<String, String> requiredAgentAttributes) {
    }

    /** {@code POST /api/deploys}: a SingularityDeployRequest. */
    public record DeployRequest(ObjectNode deploy, String message) {
    }

    /** {@code POST /api/deploys/update}: a SingularityUpdatePendingDeployRequest. */
    public record UpdatePendingDeploy(String requestId, String deployId, int targetActiveInstances) {
    }

    /** {@code PUT /api/requests/request/{id}/scale}: a SingularityScaleRequest. */
    public record Scale(int instances, String message) {
    }

    /** {@code POST /api/requests/request/{id}/pause}: a SingularityPauseRequest. */
    public record Pause(boolean killTasks, String message) {
    }

    /** {@code POST /api/requests/request/{id}/unpause}: a SingularityUnpauseRequest. */
    public record Unpause(String message) {
    }

    /** {@code GET /api/requests/request/{id}}: a SingularityRequestParent. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RequestParent(Request request, String state, RequestDeployState requestDeployState,
                                ObjectNode activeDeploy, ObjectNode pendingDeploy, PendingDeployState pendingDeployState) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RequestDeployState(String requestId, DeployMarker activeDeploy, DeployMarker pendingDeploy) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record DeployMarker(String requestId, String deployId, Long timestamp, String user, String message) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PendingDeployState(DeployMarker deployMarker, String currentDeployState, DeployProgress deployProgress) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record DeployProgress(int targetActiveInstances, int currentActiveInstances, boolean stepLaunchComplete) {
    }

    /** {@code GET /api/history/request/{id}/deploy/{deployId}}: a SingularityDeployHistory. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record DeployHistory(DeployMarker deployMarker, DeployResult deployResult) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record DeployResult(String deployState, String message, List<DeployFailure> deployFailures, Long timestamp) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record DeployFailure(String reason, TaskId taskId, String message) {
    }

    /** {@code GET /api/tasks/ids/request/{id}}: a SingularityTaskIdsByStatus (the lists lb-manager reads). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TaskIdsByStatus(List<TaskId> healthy, List<TaskId> notYetHealthy, List<TaskId> cleaning) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TaskId(String id, String requestId, String deployId, Long startedAt, Integer instanceNo, String host) {
    }

    /** {@code GET /api/history/request/{id}/tasks?deployId=}: each inactive task, a SingularityTaskIdHistory. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TaskIdHistory(TaskId taskId, String lastTaskState, Long updatedAt) {
    }

    /** {@code GET /api/tasks/task/{taskId}}: a SingularityTask, the parts that say where it listens and what it runs. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Task(TaskId taskId, List<Offer> offers, MesosTask mesosTask, TaskRequest taskRequest) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Offer(String hostname) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record MesosTask(List<Resource> resources) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Resource(String name, Ranges ranges) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Ranges(List<Range> range) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Range(long begin, long end) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TaskRequest(ObjectNode deploy) {
    }

    /** {@code GET /api/history/task/{taskId}}: a SingularityTaskHistory, the status updates lb-manager reads. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TaskHistory(List<TaskUpdate> taskUpdates) {
    }

    /** A SingularityTaskHistoryUpdate: Mesos' task state and message ({@code Container exited with status 3}). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TaskUpdate(String taskState, String statusMessage, String statusReason, long timestamp) {
    }

    /** {@code GET /api/sandbox/{taskId}/read}: a MesosFileChunkObject; with no offset, {@code offset} is the file's size. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileChunk(String data, long offset, Long nextOffset) {
    }
}
