package io.lbmanager.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the benchmarks working without timing anything: every JMH benchmark and every end-to-end
 * scenario runs once with tiny sizes, and only the sanity of what they produce is asserted.
 * The full run (real sizes, real figures) is documented in BENCHMARKS.md.
 */
class BenchmarkSmokeTest {

    @Test
    void jmhBenchmarksProduceSaneNumbers() throws Exception {
        Options options = new OptionsBuilder()
                .include(RenderBenchmark.class.getSimpleName())
                .include(ValidateBenchmark.class.getSimpleName())
                .param("services", "10")
                .param("jail", "bwrap")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(300))
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        assertThat(results).hasSize(6);
        for (RunResult result : results) {
            double millis = result.getPrimaryResult().getScore();
            assertThat(millis).as(result.getParams().getBenchmark()).isGreaterThan(0).isLessThan(10_000);
        }
    }

    @Test
    void theAgentsApplyBenchmarkPrintsARowPerSizeWithARatio() throws Exception {
        String printed = printedBy(() -> io.lbmanager.routes.AgentApplyBench.main(new String[]{"300", "5"}));

        assertThat(printed).containsPattern("\\| decode the changed chunk.*\\| 300 services \\| [0-9.]+ ms \\|.*x, [0-9.]+x \\|");
    }

    private interface Run {
        void run() throws Exception;
    }

    private static String printedBy(Run run) throws Exception {
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            run.run();
        } finally {
            System.setOut(out);
        }
        String printed = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        out.print(printed);
        return printed;
    }

    @Test
    void endToEndScenariosProduceSaneNumbers() throws Exception {
        // The heap probe starts the shaded lb-manager.jar: present from the package phase on (mvn verify).
        Path managerJar = EndToEndBench.Options.defaultManagerJar();
        boolean heap = java.nio.file.Files.isRegularFile(managerJar);
        // The upgrade scenario is left out: it starts containers and takes minutes (see BENCHMARKS.md).
        java.util.Set<String> scenarios = new java.util.HashSet<>(EndToEndBench.Options.ALL_SCENARIOS);
        scenarios.remove("upgrade");
        EndToEndBench bench = new EndToEndBench(new EndToEndBench.Options(List.of(3), 1, 2, 10, 1, 2, heap ? 10 : 0,
                managerJar, null, scenarios, 20, 2, io.lbmanager.testsupport.DockerSupport.image(), false, "lua"), System.out::println);
        List<Row> rows = bench.runAll();
        System.out.println(EndToEndBench.table(rows));
        assertThat(rows).extracting(Row::figure).anyMatch(f -> f.startsWith("floor"))
                .anyMatch(f -> f.startsWith("(a)")).anyMatch(f -> f.startsWith("(c)"))
                .anyMatch(f -> f.startsWith("(d)")).anyMatch(f -> f.startsWith("(e)"))
                .anyMatch(f -> f.startsWith("(f) Nginx worker generations"));
        if (heap) {
            assertThat(rows).extracting(Row::figure).anyMatch(f -> f.startsWith("(f)"));
        }
        for (Row row : rows) {
            assertThat(row.median()).as(row.figure()).doesNotContain("n/a").doesNotContain("NaN");
        }
        assertThat(rows).filteredOn(r -> r.figure().startsWith("(e) failed")).allMatch(r -> r.median().equals("0 failed"));
        assertThat(rows).filteredOn(r -> r.figure().startsWith("(f) requests during those reloads"))
                .isNotEmpty().allMatch(r -> r.median().equals("0 failed"), "no failed request");
        assertThat(Path.of(System.getProperty("lbm.templates", "../templates"))).isDirectory();
    }
}
