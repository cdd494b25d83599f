package io.lbmanager.catalog;

import java.util.List;

/**
 * A service as stored in ZooKeeper: its definition, the upstreams registered through the
 * REST API (backends outside discovery), and who changed it last.
 */
public record ServiceRecord(
        ServiceDefinition definition,
        List<Upstream> staticUpstreams,
        String updatedBy,
        long updatedAtMillis) {

    public ServiceRecord {
        staticUpstreams = List.copyOf(staticUpstreams);
    }

    public String id() {
        return definition.id();
    }
}
