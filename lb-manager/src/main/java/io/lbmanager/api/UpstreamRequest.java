package io.lbmanager.api;

import io.lbmanager.catalog.Upstream;
import io.lbmanager.catalog.UpstreamValidator;

/** Body of {@code POST /api/v1/services/{id}/upstreams}: a backend outside discovery. */
public record UpstreamRequest(String host, Integer port) {

    public Upstream upstream() {
        return UpstreamValidator.upstream("host", host, "port", port);
    }
}
