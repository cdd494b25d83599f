package io.lbmanager.api;

import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.SnapshotSource;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.SortedMap;
import java.util.SortedSet;

/** What discovery sees that is not routed: names no service claims, and nodes that were refused. */
@Path("/api/v1/discovery")
@Produces(MediaType.APPLICATION_JSON)
public class DiscoveryResource {

    public record DiscoveryReport(SortedSet<String> unroutedNames, SortedMap<String, String> malformedNodes,
                                  SortedMap<String, String> corruptCatalogNodes) {
    }

    private final SnapshotSource source;

    public DiscoveryResource(SnapshotSource source) {
        this.source = source;
    }

    @GET
    public DiscoveryReport report() {
        CatalogSnapshot snapshot = source.current();
        return new DiscoveryReport(snapshot.unroutedDiscoveryNames(), source.discovery().malformedNodes(),
                source.catalog().corruptNodes());
    }
}
