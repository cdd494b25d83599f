package io.lbmanager.bench;

import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.render.BundleRenderer;
import io.lbmanager.render.RenderOutcome;
import io.lbmanager.render.TemplateSet;
import io.lbmanager.snapshot.CatalogSnapshot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Synthetic catalogs for the in-process benchmarks: {@code n} services in one group, each with its own upstreams. */
public final class Catalogs {

    public static final String GROUP = "edge";

    private Catalogs() {
    }

    public static String serviceId(int i) {
        return String.format("s%05d", i);
    }

    /** {@link #serviceId} of 0 .. count-1. */
    public static List<String> serviceIds(int count) {
        return java.util.stream.IntStream.range(0, count).mapToObj(Catalogs::serviceId).toList();
    }

    /** The number {@link #serviceId} made {@code id} from. */
    public static int indexOf(String id) {
        return Integer.parseInt(id.substring(1));
    }

    public static ServiceRecord service(int i, int upstreams, int portOffset) {
        List<Upstream> list = new ArrayList<>();
        for (int u = 0; u < upstreams; u++) {
            list.add(new Upstream("10." + (i / 250 % 250) + "." + (i % 250) + "." + (u + 1), 8080 + portOffset));
        }
        String id = serviceId(i);
        return new ServiceRecord(new ServiceDefinition(id, List.of("team-" + id), "/" + id, List.of(GROUP), Map.of(), id),
                list, "bench", 0L);
    }

    /** {@code services} services with {@code upstreams} static upstreams each. */
    public static CatalogSnapshot snapshot(int services, int upstreams) {
        TreeMap<String, ServiceRecord> byId = new TreeMap<>();
        for (int i = 0; i < services; i++) {
            ServiceRecord record = service(i, upstreams, 0);
            byId.put(record.id(), record);
        }
        return new CatalogSnapshot(new TreeSet<>(List.of(GROUP)), byId, new TreeMap<>());
    }

    /** The same catalog with service 0's upstreams moved to another port: a one-service change. */
    public static CatalogSnapshot withOneServiceChanged(CatalogSnapshot snapshot, int upstreams, int portOffset) {
        return snapshot.withService(service(0, upstreams, portOffset));
    }

    /** {@code bundle} plus the files of one new service without upstreams (what a proposed new service adds); nginx.conf as it is. */
    public static ConfigBundle withOneMoreService(ConfigBundle bundle) {
        String id = "proposed-baseline";
        ServiceRecord extra = new ServiceRecord(new ServiceDefinition(id, List.of("bench"), "/" + id, List.of(GROUP), Map.of(), id),
                List.of(), "bench", 0L);
        ConfigBundle alone = render(renderer(), new CatalogSnapshot(new TreeSet<>(List.of(GROUP)), new TreeMap<>(Map.of(id, extra)),
                new TreeMap<>()));
        TreeMap<String, String> files = new TreeMap<>(bundle.files());
        alone.files().forEach((name, content) -> files.putIfAbsent(name, content));
        return ConfigBundle.of(bundle.group(), files);
    }

    public static Path templatesDir() {
        String configured = System.getProperty("lbm.templates");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path fromModule = Path.of("..", "templates");
        return fromModule.resolve(TemplateSet.MAIN).toFile().isFile() ? fromModule : Path.of("templates");
    }

    public static BundleRenderer renderer() {
        return new BundleRenderer(TemplateSet.load(templatesDir()));
    }

    public static ConfigBundle render(BundleRenderer renderer, CatalogSnapshot snapshot) {
        RenderOutcome outcome = renderer.renderGroup(snapshot, GROUP);
        if (outcome instanceof RenderOutcome.Rendered rendered) {
            return rendered.bundle();
        }
        throw new IllegalStateException("render failed: " + outcome);
    }
}
