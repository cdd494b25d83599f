package io.lbmanager.bench;

import io.lbmanager.render.BundleRenderer;
import io.lbmanager.render.IncrementalRenderer;
import io.lbmanager.render.RenderOutcome;
import io.lbmanager.render.RoutedServices;
import io.lbmanager.render.TemplateSet;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.routes.GroupRoutes;
import io.lbmanager.routes.ProposedRoutes;
import io.lbmanager.routes.RoutingTable;
import io.lbmanager.snapshot.CatalogSnapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The routes pipeline's work per catalog change, in process: the group's routed services and its
 * routing table with its sha256, for a catalog that gains or loses one service each run. "pass" is
 * what the pipeline does ({@link GroupRoutes}: per change, chunks of unchanged shards reused); the
 * baseline, in the same JVM and run, is the whole rebuild it did before (every model, line and chunk made again).
 * Also the config pipeline's render of the same change with Lua routing, against a whole render.
 *
 * <pre>java -Xmx3g -Dlbm.templates=templates -cp benchmarks/target/benchmarks.jar io.lbmanager.bench.RoutesPassBench 1000,10000,50000 20</pre>
 */
public final class RoutesPassBench {

    private static final UpstreamMode LUA = UpstreamMode.dynamic(UpstreamMode.DEBIAN_MODULES_DIR, 8).withLuaRouting(4);

    private RoutesPassBench() {
    }

    public static void main(String[] args) {
        List<Integer> sizes = Arrays.stream(args[0].split(",")).map(Integer::parseInt).toList();
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        System.out.println("| per catalog change, in process | size | median | p99 | baseline (same run): whole rebuild / whole render | ratio (median, p99) |");
        System.out.println("|---|---|---|---|---|---|");
        for (int size : sizes) {
            CatalogSnapshot base = Catalogs.snapshot(size, 2);
            CatalogSnapshot plusOne = base.withService(Catalogs.service(size, 2, 0));
            Stats whole = time(runs, base, plusOne, false);
            Stats pass = time(runs, base, plusOne, true);
            print("routes pass: one service added or removed", size, pass, whole);
            print("config render with Lua routing (IncrementalRenderer): the same change", size, renders(runs, base, plusOne, true),
                    renders(runs, base, plusOne, false));
        }
    }

    private static void print(String what, int size, Stats measured, Stats baseline) {
        System.out.printf("| %s | %,d services | %s ms | %s ms (n=%d) | %s / %s ms | %sx, %sx |%n", what, size,
                Stats.num(measured.median()), Stats.num(measured.p99()), measured.n(), Stats.num(baseline.median()),
                Stats.num(baseline.p99()), Stats.num(baseline.median() / measured.median()), Stats.num(baseline.p99() / measured.p99()));
    }

    /** Milliseconds per render, incremental or whole ({@code BundleRenderer}), alternating snapshots after as many warm-up renders. */
    private static Stats renders(int runs, CatalogSnapshot a, CatalogSnapshot b, boolean incremental) {
        TemplateSet templates = TemplateSet.load(Catalogs.templatesDir());
        IncrementalRenderer renderer = new IncrementalRenderer(templates, LUA);
        BundleRenderer whole = new BundleRenderer(templates, LUA);
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < 2 * runs; i++) {
            CatalogSnapshot snapshot = i % 2 == 0 ? a : b;
            long start = System.nanoTime();
            RenderOutcome outcome = incremental ? renderer.renderGroup(snapshot, Catalogs.GROUP) : whole.renderGroup(snapshot, Catalogs.GROUP);
            long took = System.nanoTime() - start;
            if (!(outcome instanceof RenderOutcome.Rendered)) {
                throw new IllegalStateException("render failed: " + outcome);
            }
            if (i >= runs) {
                millis.add(took / 1e6);
            }
        }
        return Stats.of(millis);
    }

    /** Milliseconds per pass over snapshots alternating between {@code a} and {@code b}, after as many warm-up passes. */
    private static Stats time(int runs, CatalogSnapshot a, CatalogSnapshot b, boolean incremental) {
        GroupRoutes pass = new GroupRoutes(Catalogs.GROUP, LUA, new ProposedRoutes());
        Set<String> profiles = RoutedServices.of(b, Catalogs.GROUP, LUA).profileNames();
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < 2 * runs; i++) {
            CatalogSnapshot snapshot = i % 2 == 0 ? a : b;
            long start = System.nanoTime();
            RoutingTable table = incremental ? pass.build(snapshot, profiles).table()
                    : RoutingTable.of(Catalogs.GROUP, RoutedServices.of(snapshot, Catalogs.GROUP, LUA).routes());
            String sha = table.sha256();
            long took = System.nanoTime() - start;
            if (i >= runs && !sha.isEmpty()) {
                millis.add(took / 1e6);
            }
        }
        return Stats.of(millis);
    }
}
