package io.lbmanager.render;

import io.lbmanager.catalog.Upstream;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.DiscoveredInstance;
import org.junit.jupiter.api.Test;

import java.util.Map;

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

        for (CatalogSnapshot snapshot : java.util.List.of(first, changed, discovered, gone, first)) {
            RoutedServices.Table cached = cache.of(snapshot, GROUP);
            RoutedServices.Table whole = RoutedServices.of(snapshot, GROUP, LUA);
            assertThat(cached.routesByService()).isEqualTo(whole.routesByService());
            assertThat(cached.profiles()).isEqualTo(whole.profiles());
            assertThat(cached.renderedAsFiles()).isEqualTo(whole.renderedAsFiles());
            assertThat(cached.refused()).isEqualTo(whole.refused());
        }
        assertThat(cache.of(changed, GROUP).routesByService().get("shop").readTimeoutMs()).isEqualTo(1_000);
        assertThat(cache.of(changed, GROUP).renderedAsFiles()).containsKey("under");
        assertThat(cache.of(changed, GROUP).refused()).containsKey("bad");
    }
}
