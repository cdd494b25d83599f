package io.lbmanager.bench;

import java.util.Locale;
import java.util.function.Consumer;

/** (f) Heap after GC and RSS of a manager JVM of its own at {@code services} services. */
record HeapScenario(EndToEndBench.Options options, Consumer<Row> rows, Consumer<String> log) {

    void run(int services) throws Exception {
        log.accept("=== heap: a manager JVM of its own with " + services + " services");
        String size = String.format(Locale.ROOT, "%,d services / %,d upstreams", services, services * HeapProbe.UPSTREAMS_PER_SERVICE);
        HeapProbe.Result result = HeapProbe.measure(options.managerJar(), Catalogs.templatesDir(), services, log);
        long limitMb = services <= 10_000 ? 512 : 1_024; // issue 14: <= 1 GB at 50,000 services / 500,000 upstreams
        rows.accept(new Row("(f) manager heap after GC (MemoryMXBean via jvm.memory.heap.used)", size,
                result.heapMb(services) + " MB", "-", "empty catalog: " + result.heapMb(0) + " MB",
                "<= " + limitMb + " MB", result.heapBytes(services) <= limitMb * 1024 * 1024 ? "met" : "missed"));
        rows.accept(new Row("(f) manager RSS (/proc/PID/status VmRSS)", size,
                result.rssMb(services) + " MB", "-", "empty catalog: " + result.rssMb(0) + " MB", "-", "-"));
        rows.accept(new Row("(f) time to publish the catalog (" + services + " PUTs from 8 callers + registrations, until published and seen)",
                size, result.publishMillis() + " ms", "-", "-", "-", "-"));
    }
}
