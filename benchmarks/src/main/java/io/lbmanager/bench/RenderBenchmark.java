package io.lbmanager.bench;

import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.render.BundleRenderer;
import io.lbmanager.render.IncrementalRenderer;
import io.lbmanager.render.RenderOutcome;
import io.lbmanager.render.TemplateSet;
import io.lbmanager.snapshot.CatalogSnapshot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Rendering one LB group (FreeMarker + sha256 of the bundle). {@link #renderGroup} is a whole
 * render with BundleRenderer (what a render costs with nothing to reuse, e.g. the first one after
 * a start). {@link #renderAfterOneServiceChange} is what the leader does for each change: the
 * IncrementalRenderer, alternating between two catalogs that differ in one service, so every call
 * renders that service's files again, plus nginx.conf and the bundle's sha256.
 * Baseline in the same run: {@code services=100}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgs = {"-Xmx2g"})
public class RenderBenchmark {

    @Param({"100", "1000", "10000"})
    public int services;

    @Param({"2"})
    public int upstreamsPerService;

    private BundleRenderer renderer;
    private IncrementalRenderer incremental;
    private CatalogSnapshot catalog;
    private CatalogSnapshot changed;
    private boolean flip;

    @Setup(Level.Trial)
    public void setUp() {
        renderer = Catalogs.renderer();
        incremental = new IncrementalRenderer(TemplateSet.load(Catalogs.templatesDir()));
        catalog = Catalogs.snapshot(services, upstreamsPerService);
        changed = Catalogs.withOneServiceChanged(catalog, upstreamsPerService, 1);
        if (!Catalogs.render(renderer, changed).equals(renderIncrementally(changed))) {
            throw new IllegalStateException("the incremental render differs from a whole render");
        }
    }

    @Benchmark
    public ConfigBundle renderGroup() {
        return Catalogs.render(renderer, catalog);
    }

    @Benchmark
    public ConfigBundle renderAfterOneServiceChange() {
        flip = !flip;
        return renderIncrementally(flip ? changed : catalog);
    }

    private ConfigBundle renderIncrementally(CatalogSnapshot snapshot) {
        RenderOutcome outcome = incremental.renderGroup(snapshot, Catalogs.GROUP);
        if (outcome instanceof RenderOutcome.Rendered rendered) {
            return rendered.bundle();
        }
        throw new IllegalStateException("render failed: " + outcome);
    }
}
