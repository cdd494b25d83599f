package io.lbmanager.catalog;

import java.util.List;

/** Every readable service, and every service node that could not be used (reported, never fatal). */
public record ServiceListing(List<ServiceRecord> services, List<MalformedNode> malformed) {

    public ServiceListing {
        services = List.copyOf(services);
        malformed = List.copyOf(malformed);
    }

    /** A node lb-manager refuses to use, with the path and the reason an operator needs to fix it. */
    public record MalformedNode(String path, String reason) {
    }
}
