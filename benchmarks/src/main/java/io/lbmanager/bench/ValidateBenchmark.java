package io.lbmanager.bench;

import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.render.BundleRenderer;
import io.lbmanager.render.IncrementalRenderer;
import io.lbmanager.render.RenderOutcome;
import io.lbmanager.render.TemplateSet;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.validate.NginxJail;
import io.lbmanager.validate.NginxValidator;
import io.lbmanager.validate.ValidationResult;
import io.lbmanager.validate.ValidationScope;
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
 * {@code /usr/sbin/nginx} run, sandbox deleted): of every file ({@link #validate},
 * {@link #renderAndValidate}: what a check costs with nothing to compare with), and of what a
 * one-service change touches since a bundle that passed ({@link #validateOneServiceChange}: the
 * sandbox of a ValidationScope; {@link #renderAndValidateOneServiceChange}: incremental render,
 * scope and nginx -t, what the leader spends on a change before it publishes).
 * Baselines in the same run: {@code services=100}, and {@code jail=none} for what the jail costs.
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

    /** {@code nginx.jail}: the bubblewrap jail every manager check runs in, or none (the same-run baseline of its cost). */
    @Param({"bwrap", "none"})
    public String jail;

    private BundleRenderer renderer;
    private IncrementalRenderer incremental;
    private CatalogSnapshot catalog;
    private CatalogSnapshot changed;
    private ConfigBundle bundle;
    private ConfigBundle oneServiceChangeSandbox;
    private NginxValidator validator;
    private boolean flip;

    @Setup(Level.Trial)
    public void setUp() {
        renderer = Catalogs.renderer();
        catalog = Catalogs.snapshot(services, 2);
        bundle = Catalogs.render(renderer, catalog);
        validator = new NginxValidator(nginx, Duration.ofSeconds(60), NginxValidator.defaultSandboxParent(),
                NginxJail.of(jail, "bwrap", UpstreamMode.DEBIAN_MODULES_DIR));
        if (!(validator.validate(bundle) instanceof ValidationResult.Valid)) {
            throw new IllegalStateException("nginx -t refused the synthetic catalog: " + validator.validate(bundle));
        }
        changed = Catalogs.withOneServiceChanged(catalog, 2, 1);
        incremental = new IncrementalRenderer(TemplateSet.load(Catalogs.templatesDir()));
        ValidationScope scope = ValidationScope.changedSince(Catalogs.render(renderer, changed), bundle);
        if (scope.complete() || scope.changedServices().size() != 1) {
            throw new IllegalStateException("a one-service change should check one service, not: " + scope.reason());
        }
        oneServiceChangeSandbox = scope.sandbox();
    }

    @Benchmark
    public ValidationResult validate() {
        return validator.validate(bundle);
    }

    @Benchmark
    public ValidationResult renderAndValidate() {
        return validator.validate(Catalogs.render(renderer, catalog));
    }

    @Benchmark
    public ValidationResult validateOneServiceChange() {
        return validator.validate(oneServiceChangeSandbox);
    }

    @Benchmark
    public ValidationResult renderAndValidateOneServiceChange() {
        flip = !flip;
        RenderOutcome outcome = incremental.renderGroup(flip ? changed : catalog, Catalogs.GROUP);
        if (!(outcome instanceof RenderOutcome.Rendered rendered)) {
            throw new IllegalStateException("render failed: " + outcome);
        }
        return validator.validate(ValidationScope.changedSince(rendered.bundle(), bundle).sandbox());
    }
}
