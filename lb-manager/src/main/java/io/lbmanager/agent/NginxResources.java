package io.lbmanager.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time and resident memory of one Nginx (its master and the master's children, the workers),
 * from {@code /proc/<pid>/stat} and {@code /proc/<pid>/status}. CPU is counted as growth since the
 * previous sample per process (a process is its pid and start time, so a reused pid starts at 0);
 * a process that exited between two samples loses its last partial interval. Off Linux both are 0.
 */
final class NginxResources {

    /** Clock ticks per second of {@code /proc/<pid>/stat}: USER_HZ, 100 on every Linux ABI lb-manager runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    record Sample(double cpuSecondsSinceLast, long rssBytes) {
    }

    private Map<String, Long> lastTicks = Map.of();

    Sample sample(long masterPid) {
        List<Long> pids = Stream.concat(Stream.of(masterPid), ProcessHandle.of(masterPid).stream()
                .flatMap(ProcessHandle::children).map(ProcessHandle::pid)).toList();
        Map<String, Long> ticks = new HashMap<>();
        long grown = 0;
        long rss = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
                // Fields after the command, which is in parentheses and may hold spaces: state is field 3.
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long used = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime (14) + stime (15)
                String process = pid + "@" + fields[19]; // starttime (22)
                ticks.put(process, used);
                grown += Math.max(0, used - lastTicks.getOrDefault(process, 0L));
                rss += residentBytes(pid);
            } catch (IOException | RuntimeException gone) {
                // the process exited while we looked, or this is no Linux
            }
        }
        lastTicks = ticks;
        return new Sample(grown / TICKS_PER_SECOND, rss);
    }

    /** Forgets every process: the next sample counts their whole CPU time (a new Nginx). */
    void reset() {
        lastTicks = Map.of();
    }

    private static long residentBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.ISO_8859_1)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).strip().split("\\s+")[0]) * 1024;
            }
        }
        return 0;
    }
}
