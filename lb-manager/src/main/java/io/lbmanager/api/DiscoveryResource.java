package io.lbmanager.api;

import io.lbmanager.auth.Scope;
import io.lbmanager.auth.Requires;
import io.lbmanager.catalog.ConflictException;
import io.lbmanager.discovery.DiscoveryGuard;
import io.lbmanager.rollout.Leadership;
import io.lbmanager.snapshot.CatalogSnapshot;
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
    private final DiscoveryGuard guard;
    private final Leadership leadership;
    private final Runnable changed;

    public DiscoveryResource(SnapshotSource source, DiscoveryGuard guard, Leadership leadership, Runnable changed) {
        this.source = source;
        this.guard = guard;
        this.leadership = leadership;
        this.changed = changed;
    }

    @Requires(Scope.READ)
    @GET
    public DiscoveryReport report() {
        CatalogSnapshot snapshot = source.current();
        return new DiscoveryReport(snapshot.unroutedDiscoveryNames(), source.discovery().malformedNodes(),
                source.catalog().corruptNodes());
    }

    /** Accept what discovery shows now, although many instances vanished at once: held services lose their held instances. */
    @Requires(Scope.OPERATOR)
    @POST
    @Path("/release-hold")
    public Map<String, Object> releaseHold() {
        if (!leadership.isLeader()) {
            throw new ConflictException(null, "only the leading manager holds discovery glitches; send this to "
                    + leadership.leaderId().orElse("the leader (none is known right now)"));
        }
        guard.release();
        changed.run();
        return Map.of("released", true);
    }
}
