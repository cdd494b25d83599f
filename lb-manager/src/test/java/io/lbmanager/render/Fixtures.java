package io.lbmanager.render;

import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.DiscoveredInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** Shared by the render and validate tests: the repository's templates, the real nginx, small snapshots. */
public final class Fixtures {

    public static final String GROUP = "edge";
    public static final String NGINX = "/usr/sbin/nginx";

    private Fixtures() {
    }

    public static Path templatesDir() {
        String configured = System.getProperty("lbm.templates");
        Path dir = configured != null ? Path.of(configured) : Path.of("..", "templates");
        assertThat(dir.resolve(TemplateSet.MAIN)).as("repository templates").exists();
        return dir;
    }

    public static TemplateSet templates() {
        return TemplateSet.load(templatesDir());
    }

    public static BundleRenderer renderer() {
        return new BundleRenderer(templates());
    }

    public static ServiceRecord service(String id, String basePath, Map<String, Object> options, Upstream... upstreams) {
        return new ServiceRecord(
                new ServiceDefinition(id, List.of("team-" + id), basePath, List.of(GROUP), options, id),
                List.of(upstreams), "test", 0L);
    }

    public static CatalogSnapshot snapshot(ServiceRecord... services) {
        TreeMap<String, ServiceRecord> byId = new TreeMap<>();
        for (ServiceRecord service : services) {
            byId.put(service.id(), service);
        }
        return new CatalogSnapshot(new TreeSet<>(List.of(GROUP)), byId, new TreeMap<>());
    }

    public static CatalogSnapshot withDiscovered(CatalogSnapshot snapshot, String name, DiscoveredInstance... instances) {
        TreeMap<String, List<DiscoveredInstance>> discovered = new TreeMap<>(snapshot.discovered());
        discovered.put(name, List.of(instances));
        return new CatalogSnapshot(snapshot.groups(), snapshot.services(), discovered);
    }

    public static ConfigBundle rendered(RenderOutcome outcome) {
        assertThat(outcome).isInstanceOf(RenderOutcome.Rendered.class);
        return ((RenderOutcome.Rendered) outcome).bundle();
    }

    public static ConfigBundle renderedGroup(CatalogSnapshot snapshot) {
        return rendered(renderer().renderGroup(snapshot, GROUP));
    }

    public static boolean nginxInstalled() {
        return Files.isExecutable(Path.of(NGINX));
    }
}
