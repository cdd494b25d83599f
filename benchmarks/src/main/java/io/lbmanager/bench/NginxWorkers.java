package io.lbmanager.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Counts an Nginx master's workers through /proc: current ones ({@code nginx: worker process})
 * and old ones still draining after a reload ({@code nginx: worker process is shutting down}).
 */
public final class NginxWorkers {

    public record Count(int current, int shuttingDown) {
    }

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
