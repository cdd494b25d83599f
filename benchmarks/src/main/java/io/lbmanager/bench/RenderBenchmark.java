package io.lbmanager.bench;

import io.lbmanager.render.BundleRenderer;
import io.lbmanager.render.ConfigBundle;
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
 * Rendering one LB group (FreeMarker + sha256 of the bundle) with BundleRenderer, the way the
 * leader does it for every change. There is no incremental render today: a one-service change
 * renders the whole group again, which {@link #renderAfterOneServiceChange} measures (alternating
 * between two catalogs that differ in one service, so nothing can be cached across calls).
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
    private CatalogSnapshot catalog;
    private CatalogSnapshot changed;
    private boolean flip;

    @Setup(Level.Trial)
    public void setUp() {
        renderer = Catalogs.renderer();
        catalog = Catalogs.snapshot(services, upstreamsPerService);
        changed = Catalogs.withOneServiceChanged(catalog, upstreamsPerService, 1);
    }

    @Benchmark
    public ConfigBundle renderGroup() {
        return Catalogs.render(renderer, catalog);
    }

    @Benchmark
    public ConfigBundle renderAfterOneServiceChange() {
        flip = !flip;
        return Catalogs.render(renderer, flip ? changed : catalog);
    }
}
