package io.lbmanager.bench;

import io.lbmanager.render.BundleRenderer;
import io.lbmanager.render.ConfigBundle;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.validate.NginxValidator;
import io.lbmanager.validate.ValidationResult;
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

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code nginx -t} of a rendered group with NginxValidator (sandbox directory written, the real
 * {@code /usr/sbin/nginx} run, sandbox deleted), and render + validate together: what the leader
 * spends on every change before it publishes. Baseline in the same run: {@code services=100}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class ValidateBenchmark {

    @Param({"100", "1000", "10000"})
    public int services;

    @Param({"/usr/sbin/nginx"})
    public String nginx;

    private BundleRenderer renderer;
    private CatalogSnapshot catalog;
    private ConfigBundle bundle;
    private NginxValidator validator;

    @Setup(Level.Trial)
    public void setUp() {
        renderer = Catalogs.renderer();
        catalog = Catalogs.snapshot(services, 2);
        bundle = Catalogs.render(renderer, catalog);
        validator = new NginxValidator(nginx, Duration.ofSeconds(60));
        if (!(validator.validate(bundle) instanceof ValidationResult.Valid)) {
            throw new IllegalStateException("nginx -t refused the synthetic catalog: " + validator.validate(bundle));
        }
    }

    @Benchmark
    public ValidationResult validate() {
        return validator.validate(bundle);
    }

    @Benchmark
    public ValidationResult renderAndValidate() {
        return validator.validate(Catalogs.render(renderer, catalog));
    }
}
