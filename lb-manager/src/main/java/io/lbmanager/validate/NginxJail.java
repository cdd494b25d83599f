package io.lbmanager.validate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Where the manager's {@code nginx -t} runs. {@link BubblewrapJail}: as user 65534 (nobody) with
 * no capabilities, in new user, mount, PID, IPC, UTS, cgroup and network namespaces, seeing only
 * read-only {@code /usr} and its own sandbox. {@link Unjailed}: Nginx runs as the manager, for
 * operators who accept that.
 */
public sealed interface NginxJail permits NginxJail.Unjailed, BubblewrapJail {

    /** The uid and gid the jailed nginx runs as (nobody / nogroup on Debian). */
    int NOBODY = 65534;

    /**
     * A sandbox for one {@code nginx -t}: the caller writes the bundle under {@code dir()/conf},
     * then {@link Sandbox#run runs} the command {@code commandIn} gives for that directory.
     *
     * @param nginxBinary the binary the command starts, so the jail can show it to the run
     */
    Sandbox open(Path sandboxParent, Path nginxBinary, Function<Path, List<String>> commandIn) throws IOException;

    /** What is missing for this jail to run here, if anything. */
    Optional<String> unavailable();

    String describe();

    static NginxJail of(String kind, String bwrapBinary, String modulesDir) {
        return switch (kind) {
            case "bwrap" -> new BubblewrapJail(bwrapBinary, modulesDir);
            case "none" -> new Unjailed();
            default -> throw new IllegalArgumentException("nginx.jail must be bwrap or none, was " + kind);
        };
    }

    /** One run's directory and its command; closing it leaves nothing of the run behind. */
    interface Sandbox extends AutoCloseable {

        Path dir();

        /** Where the run's standard output and error go. */
        default Path output() {
            return dir().resolve("nginx-t.out");
        }

        /**
         * Runs the command once.
         *
         * @param hosts host name to addresses, the resolver's answers for the names the bundle's upstreams use
         * @return the command's exit status
         * @throws TimeoutException when it did not finish within {@code timeout} (it is stopped)
         * @throws IOException when it could not be started
         */
        int run(Map<String, List<String>> hosts, Duration timeout) throws IOException, TimeoutException, InterruptedException;

        @Override
        void close();
    }

    /** The manager's nginx -t run by the manager's own user: only for operators who accept the risk. */
    record Unjailed() implements NginxJail {
        @Override
        public Sandbox open(Path sandboxParent, Path nginxBinary, Function<Path, List<String>> commandIn) throws IOException {
            return new ProcessPerRun(Files.createTempDirectory(sandboxParent, "lbm-validate-"), commandIn);
        }

        @Override
        public Optional<String> unavailable() {
            return Optional.empty();
        }

        @Override
        public String describe() {
            return "none (nginx -t runs as the manager's user, on the host's file system and network)";
        }

        private record ProcessPerRun(Path dir, Function<Path, List<String>> commandIn) implements Sandbox {
            @Override
            public int run(Map<String, List<String>> hosts, Duration timeout) throws IOException, TimeoutException, InterruptedException {
                Process process = new ProcessBuilder(commandIn.apply(dir))
                        .redirectErrorStream(true)
                        .redirectOutput(output().toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .start();
                try {
                    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                        throw new TimeoutException();
                    }
                    return process.exitValue();
                } finally {
                    if (process.isAlive()) {
                        process.descendants().forEach(ProcessHandle::destroyForcibly);
                        process.destroyForcibly();
                        process.waitFor(5, TimeUnit.SECONDS);
                    }
                }
            }

            @Override
            public void close() {
                NginxValidator.deleteQuietly(dir);
            }
        }
    }

    /** The first line of what a program said, at most 200 characters. */
    static String firstLine(byte[] said) {
        String line = new String(said, StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
