package io.lbmanager.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Counts an Nginx master's workers through /proc: current ones ({@code nginx: worker process})
 * and old ones still draining after a reload ({@code nginx: worker process is shutting down}),
 * and the generations they belong to. Works for Nginx in containers too (their processes are in
 * this host's /proc).
 */
public final class NginxWorkers {

    public record Count(int current, int shuttingDown) {
    }

    /**
     * One look at a master and its workers. Workers forked by one reload start within a clock tick of
     * each other, reloads here are further apart, so a generation is a cluster of start times no more
     * than {@link #SAME_GENERATION_TICKS} apart: this counts a generation even when only one of its
     * workers is still draining.
     *
     * @param generations     distinct generations of workers alive (current + draining ones)
     * @param shuttingDown    workers of old generations still draining
     * @param rssKb           VmRSS of the master and every worker, summed (shared pages counted once per process)
     * @param pssKb           Pss from smaps_rollup, summed (shared pages split between processes); 0 if unreadable
     * @param oldestDrainingSeconds age of the oldest draining worker, 0 when none drains
     */
    public record Generations(int generations, int shuttingDown, long rssKb, long pssKb, double oldestDrainingSeconds) {
    }

    static final long SAME_GENERATION_TICKS = 2;
    /** cgroup v1 with the cgroupfs driver ({@code /docker/ID}) or the systemd driver ({@code docker-ID.scope}). */
    private static final Pattern DOCKER_CGROUP = Pattern.compile("docker[/-]([0-9a-f]{64})");
    private static final double TICKS_PER_SECOND = 100.0;

    private NginxWorkers() {
    }

    /** The pid of the master whose command line names {@code prefix} (the agent's runtime directory). */
    public static Optional<Long> masterOf(Path prefix) {
        String needle = prefix.toAbsolutePath().normalize().toString();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> {
                        String cmd = cmdline(p);
                        return cmd.startsWith("nginx: master process") && cmd.contains(needle);
                    })
                    .map(p -> Long.parseLong(p.getFileName().toString()))
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Nginx masters running in Docker containers, by the id of their container (from /proc/PID/cgroup). */
    public static Map<String, Long> mastersInContainers() {
        Map<String, Long> masters = new HashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                if (!p.getFileName().toString().chars().allMatch(Character::isDigit) || !cmdline(p).startsWith("nginx: master process")) {
                    continue;
                }
                try {
                    Matcher docker = DOCKER_CGROUP.matcher(Files.readString(p.resolve("cgroup"), StandardCharsets.UTF_8));
                    if (docker.find()) {
                        masters.put(docker.group(1), Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            // best effort
        }
        return masters;
    }

    public static Count workersOf(long masterPid) {
        int current = 0;
        int shutting = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                if (!p.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue;
                }
                if (parentOf(p) != masterPid) {
                    continue;
                }
                String cmd = cmdline(p);
                if (cmd.startsWith("nginx: worker process is shutting down")) {
                    shutting++;
                } else if (cmd.startsWith("nginx: worker process")) {
                    current++;
                }
            }
        } catch (IOException e) {
            // the count is best effort: a process that vanished mid-scan is simply not counted
        }
        return new Count(current, shutting);
    }

    /** The master's workers grouped into generations, and the memory of the master and workers. */
    public static Generations generationsOf(long masterPid) {
        return generationsOf(masterPid, List.of());
    }

    /**
     * The same, with the ticks (since boot, {@link #nowTicks}) at which each reload was signalled, in
     * order: a worker then belongs to the reload it was forked after, so that the workers of one
     * reload forked more than a tick or two apart (a loaded host) count once, and a draining
     * worker's age counts from the reload that retired it. Empty: start times clustered as above.
     */
    public static Generations generationsOf(long masterPid, List<Long> reloadTicks) {
        List<Long> startTicks = new ArrayList<>();
        int shutting = 0;
        long oldestDrainingTick = Long.MAX_VALUE;
        long rss = memoryKb(Path.of("/proc", Long.toString(masterPid), "status"), "VmRSS:");
        long pss = memoryKb(Path.of("/proc", Long.toString(masterPid), "smaps_rollup"), "Pss:");
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                if (!p.getFileName().toString().chars().allMatch(Character::isDigit) || parentOf(p) != masterPid) {
                    continue;
                }
                String cmd = cmdline(p);
                if (!cmd.startsWith("nginx: worker process")) {
                    continue; // cache manager/loader and helpers are not workers
                }
                long started = startTicks(p);
                if (started < 0) {
                    continue;
                }
                startTicks.add(started);
                if (cmd.startsWith("nginx: worker process is shutting down")) {
                    shutting++;
                    oldestDrainingTick = Math.min(oldestDrainingTick, started);
                }
                rss += memoryKb(p.resolve("status"), "VmRSS:");
                pss += memoryKb(p.resolve("smaps_rollup"), "Pss:");
            }
        } catch (IOException e) {
            // best effort, as in workersOf
        }
        if (!reloadTicks.isEmpty()) {
            long drainingSince = oldestDrainingTick == Long.MAX_VALUE ? Long.MAX_VALUE : retiredAt(oldestDrainingTick, reloadTicks);
            double oldest = drainingSince == Long.MAX_VALUE ? 0 : Math.max(0, uptimeTicks() - drainingSince) / TICKS_PER_SECOND;
            int generations = (int) startTicks.stream().map(tick -> epochOf(tick, reloadTicks)).distinct().count();
            return new Generations(generations, shutting, rss, pss, oldest);
        }
        double oldest = oldestDrainingTick == Long.MAX_VALUE ? 0 : Math.max(0, uptimeTicks() - oldestDrainingTick) / TICKS_PER_SECOND;
        return new Generations(clusters(startTicks), shutting, rss, pss, oldest);
    }

    /** Now, in the clock ticks since boot that /proc/PID/stat gives start times in. */
    public static long nowTicks() {
        return uptimeTicks();
    }

    /** How many of the reloads were signalled at or before {@code startTick}. */
    static int epochOf(long startTick, List<Long> reloadTicks) {
        int epoch = 0;
        while (epoch < reloadTicks.size() && reloadTicks.get(epoch) <= startTick) {
            epoch++;
        }
        return epoch;
    }

    /** When the worker that started at {@code startTick} was retired: the first reload after its start. */
    private static long retiredAt(long startTick, List<Long> reloadTicks) {
        int epoch = epochOf(startTick, reloadTicks);
        return epoch < reloadTicks.size() ? reloadTicks.get(epoch) : startTick;
    }

    static int clusters(List<Long> startTicks) {
        List<Long> sorted = new ArrayList<>(startTicks);
        Collections.sort(sorted);
        int clusters = 0;
        long previous = Long.MIN_VALUE;
        for (long tick : sorted) {
            if (clusters == 0 || tick - previous > SAME_GENERATION_TICKS) {
                clusters++;
            }
            previous = tick;
        }
        return clusters;
    }

    /** Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. */
    private static long startTicks(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"), StandardCharsets.UTF_8);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[19]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long uptimeTicks() {
        try {
            String uptime = Files.readString(Path.of("/proc/uptime"), StandardCharsets.UTF_8);
            return (long) (Double.parseDouble(uptime.split(" ")[0]) * TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long memoryKb(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).replace("kB", "").strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    private static long parentOf(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("PPid:")) {
                    return Long.parseLong(line.substring(5).strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static String cmdline(Path proc) {
        try {
            return new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
