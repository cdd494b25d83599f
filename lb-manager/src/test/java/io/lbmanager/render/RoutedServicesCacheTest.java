package io.lbmanager.render;

import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.RouteLine;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.DiscoveredInstance;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static io.lbmanager.render.Fixtures.GROUP;
import static io.lbmanager.render.Fixtures.service;
import static io.lbmanager.render.Fixtures.snapshot;
import static io.lbmanager.render.Fixtures.withDiscovered;
import static org.assertj.core.api.Assertions.assertThat;

/** The cache gives what RoutedServices.of gives, snapshot after snapshot, including what changed in between. */
class RoutedServicesCacheTest {

    private static final UpstreamMode LUA = UpstreamMode.dynamic(UpstreamMode.DEBIAN_MODULES_DIR, 8).withLuaRouting(4);
    private static final Upstream IP = new Upstream("10.0.0.1", 8080);
    private static final Upstream NAME = new Upstream("backend.internal", 8080);

    @Test
    void givesWhatAWholeSplitGivesAsServicesComeChangeAndGo() {
        RoutedServicesCache cache = new RoutedServicesCache(LUA);
        CatalogSnapshot first = snapshot(service("shop", "/shop", Map.of(), IP), service("cart", "/cart", Map.of("maxFails", 0), IP));
        CatalogSnapshot changed = snapshot(service("shop", "/shop", Map.of("proxyReadTimeoutMs", 1_000), IP),
                service("cart", "/cart", Map.of("maxFails", 0), IP), service("named", "/named", Map.of(), NAME),
                service("under", "/named/under", Map.of(), IP), service("bad", "/bad", Map.of("proxyConnectTimeoutMs", 0), IP));
        CatalogSnapshot discovered = withDiscovered(changed, "cart", new DiscoveredInstance("cart", "cart-1", "10.0.0.9", 80, true));
        CatalogSnapshot gone = snapshot(service("cart", "/cart", Map.of("maxFails", 0), IP));

        Map<String, RouteLine> lines = new TreeMap<>();
        for (CatalogSnapshot snapshot : List.of(first, changed, discovered, gone, first, changed)) {
            apply(cache.update(snapshot, GROUP), lines);
            assertThat(lines).isEqualTo(RoutedServices.of(snapshot, GROUP, LUA).routesByService());
        }
        assertThat(lines.get("shop").readTimeoutMs()).isEqualTo(1_000);
        assertThat(lines).as("shadowed by /named, file-rendered").doesNotContainKey("under");
        assertThat(lines).as("its line refuses a value").doesNotContainKey("bad");
        assertThat(lines).as("file-rendered: a host name the Lua balancer cannot serve").doesNotContainKey("named");
    }

    @Test
    void updatesPerChangeAddUpToTheWholeSplitThroughRandomChanges() {
        Random random = new Random(5);
        RoutedServicesCache cache = new RoutedServicesCache(LUA);
        CatalogSnapshot snapshot = snapshot();
        Map<String, RouteLine> lines = new TreeMap<>();
        int changedLines = 0;
        for (int step = 0; step < 400; step++) {
            String id = "s" + random.nextInt(30);
            int action = random.nextInt(12);
            String basePath = random.nextInt(4) == 0 ? "/s" + random.nextInt(30) + "/deep" : "/" + id;
            if (action < 6) {
                snapshot = snapshot.withService(service(id, basePath, Map.of("maxFails", random.nextInt(3)), IP));
            } else if (action < 7) {
                snapshot = snapshot.withService(service(id, basePath, Map.of(), NAME)); // file-rendered: may shadow others
            } else if (action < 8) {
                snapshot = snapshot.withService(service(id, basePath, Map.of("proxyConnectTimeoutMs", 0), IP)); // the line refuses it
            } else if (action < 10) {
                snapshot = snapshot.withoutService(id);
            } else {
                snapshot = withDiscovered(snapshot, id, new DiscoveredInstance(id, id + "-" + step, "10.0.0." + (step % 200), 80, true));
            }
            RoutedServicesCache.Update update = cache.update(snapshot, GROUP);
            assertThat(update.whole()).isEqualTo(step == 0);
            changedLines += update.lines().size();
            apply(update, lines);
            assertThat(lines).as("step " + step).isEqualTo(RoutedServices.of(snapshot, GROUP, LUA).routesByService());
        }
        assertThat(changedLines).as("lines handed out over 400 changes of one service each: per change, not per group").isLessThan(400 * 5);
    }

    private static void apply(RoutedServicesCache.Update update, Map<String, RouteLine> lines) {
        if (update.whole()) {
            lines.clear();
        }
        update.lines().forEach((id, line) -> {
            if (line == null) {
                lines.remove(id);
            } else {
                lines.put(id, line);
            }
        });
    }
}
