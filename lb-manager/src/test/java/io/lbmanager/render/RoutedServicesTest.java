package io.lbmanager.render;

import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.RouteLine;
import io.lbmanager.snapshot.CatalogSnapshot;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static io.lbmanager.render.Fixtures.GROUP;
import static io.lbmanager.render.Fixtures.service;
import static io.lbmanager.render.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

class RoutedServicesTest {

    static final UpstreamMode ROUTING = UpstreamMode.dynamic(UpstreamMode.DEBIAN_MODULES_DIR, 8).withLuaRouting(4);
    private static final Upstream IP = new Upstream("10.0.0.1", 8080);
    private static final Upstream NAME = new Upstream("backend.internal", 8080);

    @Test
    void dynamicServicesBecomeRouteLinesWithTheirOptionsAndProfile() {
        CatalogSnapshot snapshot = snapshot(
                service("shop", "/shop/", Map.of("stripBasePath", true, "proxyConnectTimeoutMs", 700, "maxFails", 0), IP),
                service("root", "/", Map.of(), IP));

        RoutedServices.Table table = RoutedServices.of(snapshot, GROUP, ROUTING);

        OptionProfile defaults = OptionProfile.of(OptionDefaults.defaults());
        assertThat(table.routes()).extracting(RouteLine::format).containsExactly(
                "root / " + defaults.name() + " 5000 60000 60000 3 10 0",
                "shop /shop " + defaults.name() + " 700 60000 60000 0 10 1");
        assertThat(table.profiles()).containsOnlyKeys(defaults.name()).containsValue(defaults);
        assertThat(table.renderedAsFiles()).isEmpty();
        assertThat(table.refused()).isEmpty();
    }

    @Test
    void servicesTheLuaBalancerCannotServeStayFilesAndShadowWhatIsUnderThem() {
        CatalogSnapshot snapshot = snapshot(
                service("named", "/api", Map.of(), NAME),
                service("hashed", "/hash", Map.of("loadBalancing", "ip_hash"), IP),
                service("nested", "/api/v2/orders", Map.of(), IP),
                service("sibling", "/apix", Map.of(), IP),
                service("ws", "/ws", Map.of("websocket", true), IP));

        RoutedServices.Table table = RoutedServices.of(snapshot, GROUP, ROUTING);

        assertThat(table.routesByService()).containsOnlyKeys("sibling", "ws");
        assertThat(table.renderedAsFiles()).containsOnlyKeys("nested");
        assertThat(table.renderedAsFiles().get("nested")).contains("/api", "named");
        assertThat(table.profileNames()).hasSize(2);
        assertThat(table.isRouted("named")).isFalse();
    }

    @Test
    void aStaticRootShadowsEveryOtherService() {
        CatalogSnapshot snapshot = snapshot(service("root", "/", Map.of(), NAME), service("shop", "/shop", Map.of(), IP));

        RoutedServices.Table table = RoutedServices.of(snapshot, GROUP, ROUTING);

        assertThat(table.routes()).isEmpty();
        assertThat(table.renderedAsFiles()).containsOnlyKeys("shop");
    }

    @Test
    void aValueTheRouteLineRefusesIsNamedAsTheServiceField() {
        CatalogSnapshot snapshot = snapshot(
                service("zero", "/zero", Map.of("proxyReadTimeoutMs", 0), IP),
                service("fails", "/fails", Map.of("maxFails", 5_000), IP),
                service("badopt", "/badopt", Map.of("maxFails", "many"), IP),
                service("fine", "/fine", Map.of(), IP));

        RoutedServices.Table table = RoutedServices.of(snapshot, GROUP, ROUTING);

        assertThat(table.routesByService()).containsOnlyKeys("fine");
        assertThat(table.refused().get("zero").field()).isEqualTo("options.proxyReadTimeoutMs");
        assertThat(table.refused().get("fails").field()).isEqualTo("options.maxFails");
        assertThat(table.refused().get("badopt").field()).isEqualTo("options.maxFails");
    }

    @Test
    void filesRoutingAndExcludedServicesRouteNothing() {
        CatalogSnapshot snapshot = snapshot(service("shop", "/shop", Map.of(), IP), service("cart", "/cart", Map.of(), IP));

        assertThat(RoutedServices.of(snapshot, GROUP, UpstreamMode.dynamic(UpstreamMode.DEBIAN_MODULES_DIR, 8)).routes()).isEmpty();
        assertThat(RoutedServices.of(snapshot, GROUP, ROUTING, Set.of("shop")).routesByService()).containsOnlyKeys("cart");
    }
}
