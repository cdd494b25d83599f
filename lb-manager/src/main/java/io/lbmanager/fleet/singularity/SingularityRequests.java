package io.lbmanager.fleet.singularity;

/** Any Singularity request by id (not only the Nginx fleet's): its instance count, read and set. */
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

    public void scale(String requestId, int instances, String why) {
        http.put("/requests/request/" + requestId + "/scale", new SingularityModel.Scale(instances, why));
    }
}
