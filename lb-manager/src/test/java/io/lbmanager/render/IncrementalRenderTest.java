package io.lbmanager.render;

import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.DiscoveredInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static io.lbmanager.render.Fixtures.GROUP;
import static io.lbmanager.render.Fixtures.rendered;
import static io.lbmanager.render.Fixtures.service;
import static io.lbmanager.render.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

class IncrementalRenderTest {

    private static final Upstream B1 = new Upstream("10.0.0.1", 8080);
    private static final Upstream B2 = new Upstream("10.0.0.2", 8080);
    /** A template that fails for one option value, so random catalogs also produce TemplateFailed outcomes. */
    private static final TemplateSet TEMPLATES = Fixtures.templates().withOverrides(Map.of(TemplateSet.LOCATION,
            "<#if service.options.maxFails == 7>${service.noSuchField}</#if>\n" + Fixtures.templates().templates().get(TemplateSet.LOCATION)));

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void rendersWhatAFullRenderRendersOverRandomCatalogChanges(long seed) {
        rendersWhatAFullRenderRenders(seed, UpstreamMode.RELOAD);
    }

    @ParameterizedTest
    @ValueSource(longs = {6, 7})
    void withDynamicUpstreamsRendersWhatAFullRenderRenders(long seed) {
        rendersWhatAFullRenderRenders(seed, UpstreamMode.dynamic(UpstreamMode.DEBIAN_MODULES_DIR, 8));
    }

    private static void rendersWhatAFullRenderRenders(long seed, UpstreamMode mode) {
        Random random = new Random(seed);
        BundleRenderer full = new BundleRenderer(TEMPLATES, mode);
        IncrementalRenderer incremental = new IncrementalRenderer(TEMPLATES, mode);
        RandomCatalog catalog = new RandomCatalog(random);
        Map<Class<?>, Integer> outcomes = new java.util.HashMap<>();
        for (int step = 0; step < 300; step++) {
            catalog.change(1 + random.nextInt(random.nextInt(10) == 0 ? 12 : 3));
            CatalogSnapshot snapshot = catalog.snapshot();
            Set<String> excluded = catalog.someIds(random.nextInt(5) == 0 ? 2 : 0);
            for (String group : List.of(GROUP, "other")) {
                RenderOutcome expected = full.renderGroup(snapshot, group, excluded);
                assertThat(incremental.renderGroup(snapshot, group, excluded))
                        .as("seed %d step %d group %s", seed, step, group)
                        .isEqualTo(expected);
                outcomes.merge(expected.getClass(), 1, Integer::sum);
            }
        }
        assertThat(outcomes).as("every kind of outcome was compared")
                .containsKeys(RenderOutcome.Rendered.class, RenderOutcome.InputRejected.class, RenderOutcome.TemplateFailed.class);
        assertThat(outcomes.get(RenderOutcome.Rendered.class)).as("outcomes %s", outcomes).isGreaterThan(200);
    }

    @Test
    void unchangedServicesKeepTheFilesOfThePreviousRender() {
        IncrementalRenderer renderer = new IncrementalRenderer(Fixtures.templates());
        CatalogSnapshot before = snapshot(service("a", "/a", Map.of(), B1), service("b", "/b", Map.of(), B1), service("c", "/c", Map.of(), B1));
        ConfigBundle first = rendered(renderer.renderGroup(before, GROUP));

        ConfigBundle second = rendered(renderer.renderGroup(before.withService(service("b", "/b", Map.of(), B1, B2)), GROUP));

        assertThat(second.files().get("locations/a.conf")).isSameAs(first.files().get("locations/a.conf"));
        assertThat(second.files().get("upstreams/c.conf")).isSameAs(first.files().get("upstreams/c.conf"));
        assertThat(second.files().get("upstreams/b.conf")).isNotSameAs(first.files().get("upstreams/b.conf")).contains("10.0.0.2:8080");
    }

    @Test
    void whoChangedAServiceLastDoesNotRenderItAgain() {
        IncrementalRenderer renderer = new IncrementalRenderer(Fixtures.templates());
        ServiceRecord shop = service("shop", "/shop", Map.of(), B1);
        ConfigBundle first = rendered(renderer.renderGroup(snapshot(shop), GROUP));

        ServiceRecord touched = new ServiceRecord(shop.definition(), shop.staticUpstreams(), "someone-else", 42L);
        ConfigBundle second = rendered(renderer.renderGroup(snapshot(touched), GROUP));

        assertThat(second.files().get("locations/shop.conf")).isSameAs(first.files().get("locations/shop.conf"));
    }

    @Test
    void aServiceThatLeavesAndComesBackIsRenderedAfresh() {
        IncrementalRenderer renderer = new IncrementalRenderer(Fixtures.templates());
        ServiceRecord shop = service("shop", "/shop", Map.of(), B1);
        ConfigBundle first = rendered(renderer.renderGroup(snapshot(shop), GROUP));
        assertThat(rendered(renderer.renderGroup(snapshot(), GROUP)).files()).containsOnlyKeys("nginx.conf");

        ConfigBundle back = rendered(renderer.renderGroup(snapshot(shop), GROUP));

        assertThat(back).isEqualTo(first);
        assertThat(back.files().get("locations/shop.conf")).isNotSameAs(first.files().get("locations/shop.conf"));
    }

    /** A catalog of up to ~40 services in two groups that changes the ways the sources change it. */
    private static final class RandomCatalog {
        private final Random random;
        private final TreeMap<String, ServiceRecord> services = new TreeMap<>();
        private final TreeMap<String, List<DiscoveredInstance>> discovered = new TreeMap<>();
        private int nextId;

        RandomCatalog(Random random) {
            this.random = random;
            for (int i = 0; i < 25; i++) {
                put(newService());
            }
        }

        CatalogSnapshot snapshot() {
            return new CatalogSnapshot(new TreeSet<>(List.of(GROUP, "other")), services, discovered);
        }

        Set<String> someIds(int count) {
            Set<String> ids = new HashSet<>();
            List<String> all = new ArrayList<>(services.keySet());
            for (int i = 0; i < count && !all.isEmpty(); i++) {
                ids.add(all.get(random.nextInt(all.size())));
            }
            return ids;
        }

        void change(int changes) {
            for (int i = 0; i < changes; i++) {
                int what = random.nextInt(10);
                String id = someIds(1).stream().findFirst().orElse(null);
                if (id == null || what == 0) {
                    put(newService());
                } else if (what == 1 && services.size() > 3) {
                    services.remove(id);
                } else if (what <= 4) {
                    discovered.put(id, instances());
                } else if (what == 5) {
                    discovered.remove(id);
                } else {
                    ServiceRecord old = services.get(id);
                    put(new ServiceRecord(definition(id, old.definition().basePath()), upstreams(), "test", 0L));
                }
            }
        }

        private void put(ServiceRecord service) {
            services.put(service.id(), service);
        }

        private ServiceRecord newService() {
            String id = "svc-" + nextId++;
            String basePath = switch (random.nextInt(8)) {
                case 0 -> "/" + id + "/deep/";
                case 1 -> nextId % 50 == 1 ? "/" : "/" + id;
                default -> "/" + id;
            };
            return new ServiceRecord(definition(id, basePath), upstreams(), "test", 0L);
        }

        private ServiceDefinition definition(String id, String basePath) {
            List<String> groups = switch (random.nextInt(6)) {
                case 0 -> List.of("other");
                case 1 -> List.of(GROUP, "other");
                default -> List.of(GROUP);
            };
            Map<String, Object> options = switch (random.nextInt(150)) {
                case 0 -> Map.of("maxFails", 7);
                case 1 -> Map.of("maxFails", "not a number");
                default -> switch (random.nextInt(8)) {
                    case 0 -> Map.of("websocket", true, "loadBalancing", "least_conn");
                    case 1 -> Map.of("stripBasePath", true, "proxyReadTimeoutMs", 1000 + random.nextInt(5));
                    case 2 -> Map.of("keepaliveConnections", 0, "loadBalancing", "ip_hash");
                    default -> Map.of();
                };
            };
            return new ServiceDefinition(id, List.of("team-" + id), basePath, groups, options, id);
        }

        private List<Upstream> upstreams() {
            List<Upstream> list = new ArrayList<>();
            int count = random.nextInt(3);
            for (int i = 0; i < count; i++) {
                list.add(new Upstream("10.1." + random.nextInt(4) + "." + random.nextInt(4), 8000 + random.nextInt(3)));
            }
            if (random.nextInt(150) == 0) {
                list.add(new Upstream("bad host;", 80));
            }
            return list;
        }

        private List<DiscoveredInstance> instances() {
            List<DiscoveredInstance> list = new ArrayList<>();
            int count = random.nextInt(4);
            for (int i = 0; i < count; i++) {
                list.add(new DiscoveredInstance("x", "i" + i, "10.2.0." + random.nextInt(5), 9000 + random.nextInt(2), random.nextInt(4) != 0));
            }
            return list;
        }
    }
}
