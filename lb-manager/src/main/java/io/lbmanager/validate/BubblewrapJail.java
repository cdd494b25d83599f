package io.lbmanager.validate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Debian's bubblewrap ({@code apt-get install bubblewrap}): {@code nginx -t} as user 65534 with
 * no capabilities, in new user, mount, PID, IPC, UTS, cgroup and network namespaces (loopback
 * only), seeing read-only {@code /usr} (the binary, its libraries, the modules; {@code /lib*} are
 * links into it on Debian), the modules directory and the binary's directory when they are
 * elsewhere, an {@code /etc} of four files the manager writes ({@code hosts},
 * {@code nsswitch.conf}, {@code passwd}, {@code group}), an empty read-only {@code /tmp}, and
 * its own sandbox directory, the only place it may write (and, inside it, only {@code tmp/} and
 * {@code logs/} when the manager runs as root). Nothing else of the host exists for it.
 *
 * <p>Jails are kept between runs ({@link JailWorker}): setting up the namespaces costs more than a
 * small {@code nginx -t}. A kept jail serves one run at a time and its directory is emptied, and
 * every process the run left is killed, before the next run; jails idle for a minute end.
 */
public final class BubblewrapJail implements NginxJail {

    private static final String NSSWITCH = "passwd: files\ngroup: files\nhosts: files\n";
    private static final String PASSWD = "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
    private static final String GROUP = "nogroup:x:65534:\n";
    private static final boolean ROOT = runsAsRoot();
    private static final int MAX_IDLE = 4;
    private static final Duration IDLE_FOR = Duration.ofSeconds(60);
    private static final ScheduledExecutorService SWEEPER = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "nginx-jail-sweeper");
        thread.setDaemon(true);
        return thread;
    });

    private final String bwrapBinary;
    private final String modulesDir;
    private final AtomicReference<Optional<String>> availability = new AtomicReference<>();
    private final Deque<JailWorker> idle = new ArrayDeque<>();

    BubblewrapJail(String bwrapBinary, String modulesDir) {
        this.bwrapBinary = bwrapBinary;
        this.modulesDir = modulesDir;
        SWEEPER.scheduleWithFixedDelay(this::endIdleJails, IDLE_FOR.toSeconds(), IDLE_FOR.toSeconds() / 2, TimeUnit.SECONDS);
    }

    @Override
    public Sandbox open(Path sandboxParent, Path nginxBinary, Function<Path, List<String>> commandIn) throws IOException {
        JailWorker worker = idleWorkerFor(commandIn);
        if (worker == null) {
            Path dir = Files.createTempDirectory(sandboxParent, "lbm-jail-");
            try {
                layOut(dir);
                List<String> command = commandIn.apply(dir);
                List<String> loop = new ArrayList<>(List.of("/bin/sh", "-c", JailWorker.LOOP, dir.resolve("nginx-t.out").toString()));
                loop.addAll(command);
                worker = JailWorker.start(dir, command, wrap(loop, dir, nginxBinary));
            } catch (IOException | RuntimeException e) {
                NginxValidator.deleteQuietly(dir);
                throw e;
            }
        }
        return new KeptSandbox(worker);
    }

    private synchronized JailWorker idleWorkerFor(Function<Path, List<String>> commandIn) {
        while (!idle.isEmpty()) {
            JailWorker worker = idle.pop();
            if (worker.alive() && worker.command().equals(commandIn.apply(worker.dir()))) {
                return worker;
            }
            end(worker);
        }
        return null;
    }

    private void giveBack(JailWorker worker) {
        try {
            empty(worker.dir());
        } catch (IOException e) {
            end(worker);
            return;
        }
        synchronized (this) {
            if (worker.alive() && idle.size() < MAX_IDLE) {
                worker.idle();
                idle.push(worker);
                return;
            }
        }
        end(worker);
    }

    private void endIdleJails() {
        List<JailWorker> ended = new ArrayList<>();
        synchronized (this) {
            idle.removeIf(worker -> {
                boolean old = worker.idleNanos() > IDLE_FOR.toNanos() || !worker.alive();
                if (old) {
                    ended.add(worker);
                }
                return old;
            });
        }
        ended.forEach(BubblewrapJail::end);
    }

    private static void end(JailWorker worker) {
        worker.close();
        NginxValidator.deleteQuietly(worker.dir());
    }

    /** {@code etc} is a mount point in the jail, so it stays; everything else goes between runs. */
    private static void layOut(Path dir) throws IOException {
        if (ROOT) {
            for (Path above = dir.toAbsolutePath().getParent(); above != null; above = above.getParent()) {
                if (!Files.getPosixFilePermissions(above).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    throw new IOException(above + " is not open to user " + NOBODY + " (o+x), who runs nginx -t in the jail:"
                            + " choose another nginx.sandboxDir");
                }
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.createDirectory(dir.resolve("etc"));
        empty(dir);
    }

    private static void empty(Path dir) throws IOException {
        try (Stream<Path> inside = Stream.concat(Files.list(dir), Files.list(dir.resolve("etc")))) {
            inside.filter(path -> !path.equals(dir.resolve("etc"))).toList().forEach(NginxValidator::deleteQuietly);
        }
        Path output = Files.createFile(dir.resolve("nginx-t.out"));
        ownedByTheJail(output);
    }

    private static void ownedByTheJail(Path path) throws IOException {
        if (ROOT) {
            Files.setAttribute(path, "unix:uid", NOBODY);
            Files.setAttribute(path, "unix:gid", NOBODY);
        }
    }

    /** One run in a kept jail; the caller writes the bundle under {@code conf/} first. */
    private final class KeptSandbox implements Sandbox {
        private final JailWorker worker;

        KeptSandbox(JailWorker worker) {
            this.worker = worker;
        }

        @Override
        public Path dir() {
            return worker.dir();
        }

        @Override
        public int run(Map<String, List<String>> hosts, Duration timeout) throws IOException, TimeoutException, InterruptedException {
            prepare(worker.dir(), hosts);
            return worker.run(timeout);
        }

        @Override
        public void close() {
            giveBack(worker);
        }
    }

    private static void prepare(Path sandbox, Map<String, List<String>> hosts) throws IOException {
        Path etc = sandbox.resolve("etc");
        writeNew(etc.resolve("nsswitch.conf"), NSSWITCH);
        writeNew(etc.resolve("passwd"), PASSWD);
        writeNew(etc.resolve("group"), GROUP);
        writeNew(etc.resolve("hosts"), hostsFile(hosts));
        Path prefix = sandbox.resolve("conf");
        for (String dir : NginxValidator.PREFIX_DIRS) {
            // nobody may read the bundle and write only where nginx -t writes: the temp and log directories
            ownedByTheJail(Files.createDirectories(prefix.resolve(dir)));
        }
    }

    private static void writeNew(Path file, String content) throws IOException {
        Files.deleteIfExists(file); // never follow what a run may have left there
        Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    private static String hostsFile(Map<String, List<String>> hosts) {
        StringBuilder file = new StringBuilder("127.0.0.1 localhost\n::1 localhost\n");
        hosts.forEach((name, addresses) -> addresses.forEach(address -> file.append(address).append(' ').append(name).append('\n')));
        return file.toString();
    }

    List<String> wrap(List<String> command, Path sandbox, Path binary) {
        List<String> jailed = new ArrayList<>();
        if (ROOT) {
            // unprivileged outside as well: the user namespace then maps 65534 to 65534, not to root
            jailed.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
        }
        jailed.addAll(List.of(bwrapBinary, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
                "--uid", String.valueOf(NOBODY), "--gid", String.valueOf(NOBODY),
                "--ro-bind", "/usr", "/usr"));
        for (String top : List.of("/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin")) {
            Path path = Path.of(top);
            if (Files.isSymbolicLink(path)) {
                try {
                    jailed.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), top));
                } catch (IOException e) {
                    // an unreadable link is left out; nginx finds its libraries under /usr on Debian
                }
            } else if (Files.isDirectory(path)) {
                jailed.addAll(List.of("--ro-bind", top, top));
            }
        }
        // /tmp is empty and read-only, so a kept jail keeps nothing there from one run to the next
        jailed.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"));
        addReadOnlyOutsideUsr(jailed, Path.of(modulesDir));
        addReadOnlyOutsideUsr(jailed, binary.getParent());
        jailed.addAll(List.of("--bind", sandbox.toString(), sandbox.toString(),
                "--remount-ro", "/tmp",
                "--ro-bind", sandbox.resolve("etc").toString(), "/etc",
                "--chdir", sandbox.toString()));
        jailed.addAll(command);
        return jailed;
    }

    private static void addReadOnlyOutsideUsr(List<String> command, Path dir) {
        if (dir != null && dir.isAbsolute() && !dir.normalize().startsWith("/usr") && Files.isDirectory(dir)) {
            command.addAll(List.of("--ro-bind", dir.normalize().toString(), dir.normalize().toString()));
        }
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

    /** Runs {@code true} in a jail: bwrap missing, user namespaces disabled or setpriv missing all show here. */
    private Optional<String> probe() {
        Path check = Path.of(Files.isExecutable(Path.of("/usr/bin/true")) ? "/usr/bin/true" : "/bin/true");
        try (Sandbox sandbox = open(NginxValidator.defaultSandboxParent(), check, dir -> List.of(check.toString()))) {
            int status = sandbox.run(Map.of(), Duration.ofSeconds(10));
            return status == 0 ? Optional.empty()
                    : Optional.of(bwrapBinary + " cannot run a program (exit " + status + "): "
                    + NginxJail.firstLine(Files.readAllBytes(sandbox.output()))
                    + "; install bubblewrap (Debian: apt-get install bubblewrap) and allow unprivileged user namespaces");
        } catch (TimeoutException e) {
            return Optional.of(bwrapBinary + " did not run " + check + " within 10 s");
        } catch (IOException e) {
            return Optional.of("cannot run " + bwrapBinary + " (" + e.getMessage()
                    + "); install bubblewrap (Debian: apt-get install bubblewrap) and allow unprivileged user namespaces");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while checking " + bwrapBinary);
        }
    }

    private static boolean runsAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    @Override
    public String describe() {
        return "bwrap (" + bwrapBinary + ": user " + NOBODY + ", no network, sees only /usr, the modules and its sandbox)";
    }
}
