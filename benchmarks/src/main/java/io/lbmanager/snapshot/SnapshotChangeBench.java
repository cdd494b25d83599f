package io.lbmanager.snapshot;

import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServiceRecord;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What one discovery change costs the snapshot source (snapshot plus discovery guard) at a catalog
 * of N services with 10 instances each: an instance deregistered, then registered again, timed from
 * the feed call to the listener holding the new snapshot. Same-run baseline: what every change cost
 * before snapshots were taken per change (regroup and sort every instance, guard the whole of
 * discovery, copy every map into the new snapshot). Also the heap the source holds at N, after GC.
 * In this package because the catalog side of the source is package-private.
 * <pre>
 * java -Xmx2g -cp benchmarks/target/benchmarks.jar io.lbmanager.snapshot.SnapshotChangeBench 1000,10000,50000 50
 * </pre>
 */
public final class SnapshotChangeBench {

    private static final int INSTANCES = 10;

    public static void main(String[] args) throws Exception {
        int[] sizes = Arrays.stream((args.length > 0 ? args[0] : "1000,10000,50000").split(",")).mapToInt(Integer::parseInt).toArray();
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        System.out.println("| services x 10 instances | per-change deregistration median / p99 | registration median / p99 "
                + "| baseline: whole rebuild median / p99 | ratio (p99) | heap held by the source, after GC |");
        System.out.println("|---|---|---|---|---|---|");
        for (int size : sizes) {
            measure(size, runs);
        }
    }

    private static void measure(int services, int runs) throws Exception {
        long heapBefore = heapAfterGc();
        DiscoveryGuard guard = new DiscoveryGuard(0.5, 20, 60_000);
        SnapshotSource source = new SnapshotSource(guard);
        BlockingQueue<CatalogSnapshot> snapshots = new LinkedBlockingQueue<>();
        Map<String, DiscoveredInstance> byPath = new ConcurrentHashMap<>();
        source.groupAdded("edge");
        for (int s = 0; s < services; s++) {
            String id = String.format("s%05d", s);
            source.serviceChanged(id, new ServiceRecord(new ServiceDefinition(id, List.of("team"), "/" + id, List.of("edge"), Map.of(), id),
                    List.of(), "bench", 0), "/lb-manager/catalog/services/" + id);
            for (int i = 0; i < INSTANCES; i++) {
                DiscoveredInstance instance = new DiscoveredInstance(id, "i" + i, "10." + (1 + i) + "." + (s / 250 % 250) + "." + (s % 250 + 1),
                        8080, true);
                byPath.put(path(id, i), instance);
                source.instanceChanged(path(id, i), instance);
            }
        }
        source.tell((snapshot, change) -> snapshots.add(snapshot));
        source.catalogRead();
        source.discoveryRead();
        CatalogSnapshot first = null;
        while (first == null || first.discovered().size() < services || !snapshots.isEmpty()) {
            first = snapshots.poll(120, TimeUnit.SECONDS);
        }
        long heapHeld = heapAfterGc() - heapBefore;

        long[] deregistration = new long[runs];
        long[] registration = new long[runs];
        long[] baseline = new long[runs];
        DiscoveryGuard baselineGuard = new DiscoveryGuard(0.5, 20, 60_000);
        baselineGuard.guard(regroup(byPath), 0);
        for (int run = 0; run < runs; run++) {
            String id = String.format("s%05d", (run * 7919) % services);
            String path = path(id, run % INSTANCES);
            DiscoveredInstance instance = byPath.get(path);
            long start = System.nanoTime();
            source.instanceRemoved(path);
            snapshots.take();
            deregistration[run] = System.nanoTime() - start;
            start = System.nanoTime();
            source.instanceChanged(path, instance);
            snapshots.take();
            registration[run] = System.nanoTime() - start;

            byPath.remove(path);
            start = System.nanoTime();
            DiscoveryGuard.Guarded guarded = baselineGuard.guard(regroup(byPath), System.currentTimeMillis());
            CatalogSnapshot whole = new CatalogSnapshot(new TreeSet<>(first.groups()), new TreeMap<>(first.services()),
                    new TreeMap<>(guarded.view()), guarded.held());
            baseline[run] = System.nanoTime() - start;
            byPath.put(path, instance);
            baselineGuard.guard(regroup(byPath), System.currentTimeMillis());
            if (whole.services().size() != services) {
                throw new IllegalStateException("baseline snapshot lost services");
            }
        }
        source.stop();
        System.out.printf("| %,d x %d | %s | %s | %s | %.1fx | %,d MB |%n", services, INSTANCES, medianP99(deregistration),
                medianP99(registration), medianP99(baseline), (double) p99(baseline) / Math.max(1, p99(deregistration)),
                heapHeld / (1024 * 1024));
    }

    /** What the source did on every change before: every instance regrouped by name and sorted. */
    private static SortedMap<String, List<DiscoveredInstance>> regroup(Map<String, DiscoveredInstance> byPath) {
        TreeMap<String, List<DiscoveredInstance>> byName = new TreeMap<>();
        for (DiscoveredInstance instance : byPath.values()) {
            byName.computeIfAbsent(instance.name(), n -> new ArrayList<>()).add(instance);
        }
        Comparator<DiscoveredInstance> order = Comparator.comparing(DiscoveredInstance::address)
                .thenComparingInt(DiscoveredInstance::port).thenComparing(DiscoveredInstance::id);
        byName.replaceAll((name, list) -> list.stream().sorted(order).toList());
        return byName;
    }

    private static String path(String id, int instance) {
        return "/services/" + id + "/i" + instance;
    }

    private static String medianP99(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format("%.2f / %.2f ms", sorted[sorted.length / 2] / 1e6, p99(nanos) / 1e6);
    }

    private static long p99(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.ceil(sorted.length * 0.99) - 1];
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
