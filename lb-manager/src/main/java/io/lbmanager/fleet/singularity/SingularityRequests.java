package io.lbmanager.fleet.singularity;

/**
 * Any Singularity request by id (not only the Nginx fleet's): its instance count, and pausing it
 * (Singularity refuses a scale to 0 instances; a paused request keeps its deploy and instance count,
 * its tasks are killed) and unpausing it (tasks scheduled again at once).
 */
public final class SingularityRequests {

    private final SingularityHttp http;

    public SingularityRequests(SingularityHttp http) {
        this.http = http;
    }

    /** @throws IllegalStateException if Singularity has no such request */
    public int instances(String requestId) {
        SingularityModel.RequestParent parent = http.get("/requests/request/" + requestId, SingularityModel.RequestParent.class)
                .orElseThrow(() -> new IllegalStateException("Singularity has no request " + requestId));
        return parent.request() == null || parent.request().instances() == null ? 1 : parent.request().instances();
    }

    /** {@code POST /api/requests/request/{id}/pause}, killing its tasks. */
    public void pause(String requestId, String message) {
        http.post("/requests/request/" + requestId + "/pause", new SingularityModel.Pause(true, message),
                SingularityModel.RequestParent.class, SingularityHttp.Retry.ONCE);
    }

    /** {@code POST /api/requests/request/{id}/unpause}; a request that is not paused (409) is left as it is. */
    public void unpause(String requestId, String message) {
        try {
            http.post("/requests/request/" + requestId + "/unpause", new SingularityModel.Unpause(message),
                    SingularityModel.RequestParent.class, SingularityHttp.Retry.ONCE);
        } catch (SingularityException e) {
            if (e.status() != 409) {
                throw e;
            }
        }
    }
}
