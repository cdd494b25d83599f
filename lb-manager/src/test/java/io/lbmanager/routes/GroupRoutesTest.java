package io.lbmanager.routes;

import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.RouteLine;
import io.lbmanager.render.OptionDefaults;
import io.lbmanager.render.OptionProfile;
import io.lbmanager.render.RoutedServices;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.snapshot.CatalogSnapshot;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.lbmanager.render.Fixtures.GROUP;
import static io.lbmanager.render.Fixtures.service;
import static io.lbmanager.render.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

/** A group's table built pass after pass, per change, is the table built from every route at once. */
class GroupRoutesTest {

    private static final UpstreamMode ROUTING = UpstreamMode.dynamic(UpstreamMode.DEBIAN_MODULES_DIR, 8).withLuaRouting(4);
    private static final Upstream IP = new Upstream("10.0.0.1", 8080);

    @Test
    void tablesBuiltPerChangeAreTheTablesOfEveryRouteWhoseProfileTheConfigHas() {
        Random random = new Random(9);
        String usual = OptionProfile.of(OptionDefaults.defaults()).name();
        String big = OptionProfile.of(OptionDefaults.resolve(Map.of("clientMaxBodySizeMb", 50))).name();
        GroupRoutes routes = new GroupRoutes(GROUP, ROUTING, new ProposedRoutes());
        CatalogSnapshot snapshot = snapshot();
        Set<String> profiles = Set.of(usual);
        int replacedShardsOnly = 0;
        RoutingTable before = null;
        for (int step = 0; step < 300; step++) {
            String id = "svc" + random.nextInt(200);
            int action = random.nextInt(10);
            if (action < 6) {
                snapshot = snapshot.withService(service(id, "/" + id, Map.of("maxFails", random.nextInt(3)), IP));
            } else if (action < 7) {
                snapshot = snapshot.withService(service(id, "/" + id, Map.of("clientMaxBodySizeMb", 50), IP));
            } else if (action < 9) {
                snapshot = snapshot.withoutService(id);
            } else {
                profiles = profiles.size() == 1 ? Set.of(usual, big) : Set.of(usual);
            }

            RoutingTable table = routes.build(snapshot, profiles).table();

            Set<String> config = profiles;
            List<RouteLine> expected = RoutedServices.of(snapshot, GROUP, ROUTING).routes().stream()
                    .filter(line -> config.contains(line.profile())).toList();
            RoutingTable whole = RoutingTable.of(GROUP, expected);
            assertThat(table.routes()).as("step " + step).isEqualTo(whole.routes());
            assertThat(table.sha256()).as("step " + step).isEqualTo(whole.sha256());
            if (before != null && sharedShards(before, table) >= RoutingTable.SHARDS - 1) {
                replacedShardsOnly++;
            }
            before = table;
        }
        assertThat(replacedShardsOnly).as("passes that left every shard but one as it was").isGreaterThan(150);
    }

    private static int sharedShards(RoutingTable a, RoutingTable b) {
        int shared = 0;
        for (int i = 0; i < RoutingTable.SHARDS; i++) {
            shared += a.shardLines(i) == b.shardLines(i) ? 1 : 0;
        }
        return shared;
    }
}
