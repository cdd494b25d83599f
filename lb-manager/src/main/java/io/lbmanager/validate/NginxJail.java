package io.lbmanager.validate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the manager's {@code nginx -t} runs. {@link Bubblewrap}: as user 65534 (nobody) with no
 * capabilities, in new user, mount, PID, IPC, UTS, cgroup and network namespaces (loopback only),
 * seeing read-only {@code /usr} (the binary, its libraries, the modules; {@code /lib*} are links
 * into it on Debian), the modules directory and the binary's directory when they are elsewhere,
 * an {@code /etc} of four files the manager writes ({@code hosts}, {@code nsswitch.conf},
 * {@code passwd}, {@code group}), a fresh {@code /tmp}, and its own sandbox directory, the only
 * place it may write (and, inside it, only {@code tmp/} and {@code logs/} when the manager runs as
 * root). Nothing else of the host exists for it. {@link Unjailed}: Nginx runs as the manager,
 * for operators who accept that.
 */
public sealed interface NginxJail {

    /** The uid and gid the jailed nginx runs as (nobody / nogroup on Debian). */
    int NOBODY = 65534;

    /** The command that runs {@code nginxCommand} (nginx first) against {@code sandbox}. */
    List<String> wrap(List<String> nginxCommand, Path sandbox, Path nginxBinary);

    /**
     * Prepares {@code sandbox} (which holds the bundle under {@code conf/}) for this jail.
     *
     * @param hosts host name to addresses, the resolver's answers for the names the bundle's upstreams use
     * @throws IOException when the sandbox cannot be made ready, e.g. a directory above it is closed to the jail's user
     */
    void prepare(Path sandbox, Path prefix, Map<String, List<String>> hosts) throws IOException;

    /** What is missing for this jail to run here, if anything. */
    Optional<String> unavailable();

    String describe();

    static NginxJail of(String kind, String bwrapBinary, String modulesDir) {
        return switch (kind) {
            case "bwrap" -> new Bubblewrap(bwrapBinary, modulesDir);
            case "none" -> new Unjailed();
            default -> throw new IllegalArgumentException("nginx.jail must be bwrap or none, was " + kind);
        };
    }

    /** The manager's nginx -t run by the manager's own user: only for operators who accept the risk. */
    record Unjailed() implements NginxJail {
        @Override
        public List<String> wrap(List<String> nginxCommand, Path sandbox, Path nginxBinary) {
            return nginxCommand;
        }

        @Override
        public void prepare(Path sandbox, Path prefix, Map<String, List<String>> hosts) {
        }

        @Override
        public Optional<String> unavailable() {
            return Optional.empty();
        }

        @Override
        public String describe() {
            return "none (nginx -t runs as the manager's user, on the host's file system and network)";
        }
    }

    /** Debian's bubblewrap ({@code apt-get install bubblewrap}). */
    final class Bubblewrap implements NginxJail {

        private static final String NSSWITCH = "passwd: files\ngroup: files\nhosts: files\n";
        private static final String PASSWD = "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
        private static final String GROUP = "nogroup:x:65534:\n";
        private static final boolean ROOT = runsAsRoot();

        private final String bwrapBinary;
        private final String modulesDir;
        private final AtomicReference<Optional<String>> availability = new AtomicReference<>();

        Bubblewrap(String bwrapBinary, String modulesDir) {
            this.bwrapBinary = bwrapBinary;
            this.modulesDir = modulesDir;
        }

        @Override
        public List<String> wrap(List<String> nginxCommand, Path sandbox, Path nginxBinary) {
            List<String> command = new ArrayList<>();
            if (ROOT) {
                // unprivileged outside as well: the user namespace then maps 65534 to 65534, not to root
                command.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
            }
            command.addAll(List.of(bwrapBinary, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
                    "--uid", String.valueOf(NOBODY), "--gid", String.valueOf(NOBODY),
                    "--ro-bind", "/usr", "/usr"));
            for (String top : List.of("/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin")) {
                Path path = Path.of(top);
                if (Files.isSymbolicLink(path)) {
                    try {
                        command.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), top));
                    } catch (IOException e) {
                        // an unreadable link is left out; nginx finds its libraries under /usr on Debian
                    }
                } else if (Files.isDirectory(path)) {
                    command.addAll(List.of("--ro-bind", top, top));
                }
            }
            addReadOnlyOutsideUsr(command, Path.of(modulesDir));
            addReadOnlyOutsideUsr(command, nginxBinary.getParent());
            command.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                    "--ro-bind", sandbox.resolve("etc").toString(), "/etc",
                    "--bind", sandbox.toString(), sandbox.toString(),
                    "--chdir", sandbox.toString()));
            command.addAll(nginxCommand);
            return command;
        }

        private static void addReadOnlyOutsideUsr(List<String> command, Path dir) {
            if (dir != null && dir.isAbsolute() && !dir.normalize().startsWith("/usr") && Files.isDirectory(dir)) {
                command.addAll(List.of("--ro-bind", dir.normalize().toString(), dir.normalize().toString()));
            }
        }

        @Override
        public void prepare(Path sandbox, Path prefix, Map<String, List<String>> hosts) throws IOException {
            Path etc = Files.createDirectory(sandbox.resolve("etc"));
            Files.writeString(etc.resolve("nsswitch.conf"), NSSWITCH, StandardCharsets.UTF_8);
            Files.writeString(etc.resolve("passwd"), PASSWD, StandardCharsets.UTF_8);
            Files.writeString(etc.resolve("group"), GROUP, StandardCharsets.UTF_8);
            Files.writeString(etc.resolve("hosts"), hostsFile(hosts), StandardCharsets.UTF_8);
            if (ROOT) {
                // nobody may read the bundle and write only where nginx -t writes: the temp and log directories
                for (Path above = sandbox.toAbsolutePath().getParent(); above != null; above = above.getParent()) {
                    if (!Files.getPosixFilePermissions(above).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                        throw new IOException(above + " is not open to user " + NOBODY + " (o+x), who runs nginx -t in the jail:"
                                + " choose another nginx.sandboxDir");
                    }
                }
                Files.setPosixFilePermissions(sandbox, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
                for (String dir : NginxValidator.PREFIX_DIRS) {
                    Files.setAttribute(prefix.resolve(dir), "unix:uid", NOBODY);
                    Files.setAttribute(prefix.resolve(dir), "unix:gid", NOBODY);
                }
            }
        }

        private static String hostsFile(Map<String, List<String>> hosts) {
            StringBuilder file = new StringBuilder("127.0.0.1 localhost\n::1 localhost\n");
            hosts.forEach((name, addresses) -> addresses.forEach(address -> file.append(address).append(' ').append(name).append('\n')));
            return file.toString();
        }

        @Override
        public Optional<String> unavailable() {
            Optional<String> known = availability.get();
            if (known == null || known.isPresent()) { // a jail that ran keeps running; a missing one is looked for again
                known = probe();
                availability.set(known);
            }
            return known;
        }

        /** Runs {@code true} in the jail: bwrap missing, user namespaces disabled or setpriv missing all show here. */
        private Optional<String> probe() {
            Path sandbox = null;
            try {
                sandbox = Files.createTempDirectory(NginxValidator.defaultSandboxParent(), "lbm-jail-probe-");
                Path prefix = Files.createDirectory(sandbox.resolve("conf"));
                for (String dir : NginxValidator.PREFIX_DIRS) {
                    Files.createDirectories(prefix.resolve(dir));
                }
                prepare(sandbox, prefix, Map.of());
                Path check = Path.of(Files.isExecutable(Path.of("/usr/bin/true")) ? "/usr/bin/true" : "/bin/true");
                Process process = new ProcessBuilder(wrap(List.of(check.toString()), sandbox, check))
                        .redirectErrorStream(true).start();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return Optional.of(bwrapBinary + " did not run " + check + " within 10 s");
                }
                String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                return process.exitValue() == 0 ? Optional.empty()
                        : Optional.of(bwrapBinary + " cannot run a program (exit " + process.exitValue() + "): " + firstLine(said)
                        + "; install bubblewrap (Debian: apt-get install bubblewrap) and allow unprivileged user namespaces");
            } catch (IOException e) {
                return Optional.of("cannot run " + bwrapBinary + " (" + e.getMessage()
                        + "); install bubblewrap (Debian: apt-get install bubblewrap)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("interrupted while checking " + bwrapBinary);
            } finally {
                NginxValidator.deleteQuietly(sandbox);
            }
        }

        private static boolean runsAsRoot() {
            try {
                return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }

        private static String firstLine(String text) {
            String line = text.lines().findFirst().orElse("");
            return line.length() > 200 ? line.substring(0, 200) : line;
        }

        @Override
        public String describe() {
            return "bwrap (" + bwrapBinary + ": user " + NOBODY + ", no network, sees only /usr, the modules and its sandbox)";
        }
    }
}
