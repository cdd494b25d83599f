package io.lbmanager.api;

import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.HoldReleases;
import io.lbmanager.snapshot.SnapshotSource;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;

/** What discovery sees that is not routed, and the operator's release of a held glitch. */
@Path("/api/v1/discovery")
@Produces(MediaType.APPLICATION_JSON)
public class DiscoveryResource {

    public record DiscoveryReport(SortedSet<String> unroutedNames, SortedMap<String, String> malformedNodes,
                                  SortedMap<String, String> corruptCatalogNodes) {
    }

    private final SnapshotSource source;
    private final HoldReleases holdReleases;

    public DiscoveryResource(SnapshotSource source, HoldReleases holdReleases) {
        this.source = source;
        this.holdReleases = holdReleases;
    }

    @Requires(Scope.READ)
    @GET
    public DiscoveryReport report() {
        CatalogSnapshot snapshot = source.current();
        return new DiscoveryReport(snapshot.unroutedDiscoveryNames(), source.refusedDiscoveryNodes(), source.refusedCatalogNodes());
    }

    /**
     * Accept what discovery shows now, although many instances vanished at once: held services lose
     * their held instances. Any manager takes it; it reaches every manager through ZooKeeper.
     */
    @Requires(Scope.OPERATOR)
    @POST
    @Path("/release-hold")
    public Map<String, Object> releaseHold() {
        holdReleases.release("api");
        return Map.of("released", true);
    }
}
