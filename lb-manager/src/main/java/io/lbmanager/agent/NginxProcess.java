package io.lbmanager.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The Nginx master this agent runs in the foreground ({@code daemon off}) and supervises. Every
 * invocation uses the same prefix, pid file and stderr error log, so a test ({@code -t}) of a new
 * version directory sees exactly what the running master will see after the switch.
 */
public final class NginxProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NginxProcess.class);
    private static final long COMMAND_TIMEOUT_SECONDS = 30;
    private static final Pattern ERROR_LOG_PREFIX =
            Pattern.compile("^\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2} (\\[\\w+\\]) \\d+#\\d+: ");
    /** The master's notices that mark its reconfiguration cycles (see {@link ReloadLedger}). */
    private static final Pattern CYCLE_STARTED = Pattern.compile("\\[notice\\] \\d+#\\d+: reconfiguring$");
    private static final Pattern WORKERS_STARTED = Pattern.compile("\\[notice\\] \\d+#\\d+: start worker processes$");
    private static final Pattern LOGGING_PID = Pattern.compile("\\[\\w+\\] (\\d+)#\\d+: ");

    /** The outcome of running an nginx command to completion: exit code and what it printed. */
    public record CommandResult(int exitCode, String output) {
        public boolean succeeded() {
            return exitCode == 0;
        }

        /**
         * The lines a person needs: Nginx's emerg/alert/crit messages, else the whole output, each as
         * {@code nginx: [emerg] unknown directive "x" in /path/nginx.conf:13} (time and pid dropped).
         */
        public String errorText() {
            String serious = output.lines()
                    .filter(NginxProcess::isSerious)
                    .map(line -> ERROR_LOG_PREFIX.matcher(line).replaceFirst("nginx: $1 "))
                    .collect(Collectors.joining("\n"));
            return serious.isEmpty() ? output.strip() : serious;
        }
    }

    private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(2);

    private final String binary;
    private final VersionDirectories dirs;
    private final String zone;
    private Process master;
    private volatile String lastSeriousLine;
    /** The master's workers when last looked at; a master killed outright leaves them serving, holding its ports. */
    private volatile List<ProcessHandle> workers = List.of();
    private final ReloadLedger reloads = new ReloadLedger();
    private final OldGenerations oldGenerations;

    /** With the default bound of old worker generations ({@link OldGenerationBound#DEFAULT}). */
    public NginxProcess(String binary, VersionDirectories dirs) {
        this(binary, dirs, null, OldGenerationBound.DEFAULT);
    }

    /** @param zone what the master and its workers see as {@code LBM_ZONE} (null: unset, whatever the agent's environment says) */
    public NginxProcess(String binary, VersionDirectories dirs, String zone) {
        this(binary, dirs, zone, OldGenerationBound.DEFAULT);
    }

    public NginxProcess(String binary, VersionDirectories dirs, OldGenerationBound oldGenerationBound) {
        this(binary, dirs, null, oldGenerationBound);
    }

    public NginxProcess(String binary, VersionDirectories dirs, String zone, OldGenerationBound oldGenerationBound) {
        this.binary = binary;
        this.dirs = dirs;
        this.zone = zone;
        this.oldGenerations = new OldGenerations(oldGenerationBound);
    }

    /** {@code nginx -t} of a version directory, with the same prefix and globals as the live master. */
    public CommandResult test(Path versionDirectory) {
        return runToCompletion(command(versionDirectory.resolve("nginx.conf"), "-t"));
    }

    /** Starts the master on the {@code live} tree; the caller confirms it serves. */
    public synchronized void start() throws IOException {
        if (isAlive()) {
            return;
        }
        stopOrphanedWorkers();
        Files.deleteIfExists(dirs.peersSocket()); // left by a master that died; nginx will not bind over it
        ProcessBuilder builder = new ProcessBuilder(command(dirs.live().resolve("nginx.conf")))
                .redirectErrorStream(true);
        if (zone == null) {
            builder.environment().remove(AgentEnvironment.ZONE);
        } else {
            builder.environment().put(AgentEnvironment.ZONE, zone);
        }
        reloads.masterStarted();
        oldGenerations.masterStarted();
        master = builder.start();
        forwardOutput(master, "nginx[" + master.pid() + "]", this::noteLine);
        LOG.info("nginx started pid={} prefix={}", master.pid(), dirs.root());
    }

    private volatile List<Long> retiring = List.of();

    /**
     * Asks the running master to re-read {@code live}, which the caller pointed to {@code version}
     * (SIGHUP); a config it cannot load leaves the old one running, and {@link #reloadRefusal} then
     * says why. Signalled directly rather than through {@code nginx -s reload}, which would parse the
     * whole config once more only to find the pid file. Old worker generations beyond the bound are
     * ended first ({@link OldGenerations}).
     */
    public CommandResult reload(ServedVersion version) {
        Optional<Long> pid = pid();
        if (pid.isEmpty()) {
            return new CommandResult(-1, "nginx master is not running" + exitCode().map(code -> " (exited with code " + code + ")").orElse(""));
        }
        retiring = acceptingWorkers(pid.get());
        try {
            oldGenerations.beforeReload(currentWorkers(pid.get()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CommandResult(-1, "interrupted while ending an old worker generation");
        }
        reloads.signalled(version);
        return runToCompletion(List.of("/bin/sh", "-c", "kill -HUP \"$1\"", "nginx-reload", String.valueOf(pid.get())));
    }

    /**
     * What the master said if it refused the latest {@link #reload} onto {@code version}, in the words
     * of {@code nginx -t} ({@code nginx: [emerg] unknown directive "x" in /path/nginx.conf:13}), even if
     * other reloads were signalled since. A master that refuses a config keeps its workers of the old
     * one: nothing changed for traffic.
     */
    public Optional<String> reloadRefusal(ServedVersion version) {
        return reloads.refusal(version);
    }

    /** Old worker generations ended before a reload, since this agent started ({@link OldGenerationBound}). */
    public long generationsEnded() {
        return oldGenerations.ended();
    }

    /** The caller stopped waiting for the latest reload onto {@code version}; a refusal that still comes goes to the listener. */
    public void gaveUpOn(ServedVersion version) {
        reloads.givenUp(version);
    }

    /** Told when the master refuses a version after {@link #gaveUpOn} it: on the output thread, keep it short. */
    public void onLateRefusal(java.util.function.BiConsumer<ServedVersion, String> listener) {
        reloads.onLateRefusal(listener);
    }

    private void noteLine(String line) {
        if (CYCLE_STARTED.matcher(line).find()) {
            reloads.cycleStarted();
        } else if (WORKERS_STARTED.matcher(line).find()) {
            reloads.workersStarted();
        } else if (isSerious(line) && !fromEndedWorker(line)) {
            lastSeriousLine = line;
            if (line.contains("[emerg]")) {
                reloads.emerg(ERROR_LOG_PREFIX.matcher(line).replaceFirst("nginx: $1 "));
            }
        }
    }

    private boolean fromEndedWorker(String line) {
        Matcher pid = LOGGING_PID.matcher(line);
        return pid.find() && oldGenerations.endedWorker(Long.parseLong(pid.group(1)));
    }

    /**
     * After a reload: waits until the workers of the previous config stopped taking new connections
     * (a worker renames itself "shutting down" as it closes its listening sockets), so new
     * connections reach the new config only. False if one still took them after the timeout.
     */
    public boolean awaitPreviousWorkersRetired(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (retiring.stream().anyMatch(NginxProcess::acceptsConnections)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    private static List<Long> acceptingWorkers(long masterPid) {
        return ProcessHandle.of(masterPid)
                .map(master -> master.children().map(ProcessHandle::pid).filter(NginxProcess::acceptsConnections).toList())
                .orElse(List.of());
    }

    /**
     * The workers a reload retires: those taking connections and those forked so lately that they
     * still bear the master's title (a busy host can take longer to start one than Nginx takes to
     * answer the version through the other); cache manager and loader are not workers.
     */
    private static List<Long> currentWorkers(long masterPid) {
        return ProcessHandle.of(masterPid)
                .map(master -> master.children().map(ProcessHandle::pid).filter(pid -> {
                    String title = titleOf(pid);
                    return !title.isEmpty() && !title.contains("shutting down") && !title.contains("cache ");
                }).toList())
                .orElse(List.of());
    }

    private static String titleOf(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return ""; // exited
        }
    }

    private static boolean acceptsConnections(long pid) {
        String title = titleOf(pid);
        return title.contains("worker process") && !title.contains("shutting down");
    }

    /** Notes the running master's workers, so that they can be stopped if the master dies without them. */
    public void rememberWorkers() {
        Process current;
        synchronized (this) {
            current = master;
        }
        if (current != null && current.isAlive()) {
            workers = current.children().toList();
        }
    }

    /**
     * Workers outlive a master killed outright (SIGKILL, OOM killer): they keep serving the old
     * config, unsupervised, and hold the listening sockets, so no new master could bind. Fast
     * shutdown (SIGTERM) first, then SIGKILL. A ProcessHandle checks the start time, so a pid the
     * system reused meanwhile is not signalled.
     */
    private void stopOrphanedWorkers() {
        List<ProcessHandle> orphans = workers.stream().filter(ProcessHandle::isAlive).toList();
        workers = List.of();
        if (orphans.isEmpty()) {
            return;
        }
        LOG.warn("stopping {} nginx workers the dead master left running: pids {}", orphans.size(),
                orphans.stream().map(ProcessHandle::pid).toList());
        orphans.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + ORPHAN_STOP_WAIT.toNanos();
        while (orphans.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        orphans.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    public synchronized boolean isAlive() {
        return master != null && master.isAlive();
    }

    /** The exit code of a master that died, empty while it runs or before it was started. */
    public synchronized Optional<Integer> exitCode() {
        return master == null || master.isAlive() ? Optional.empty() : Optional.of(master.exitValue());
    }

    public synchronized Optional<Long> pid() {
        return isAlive() ? Optional.of(master.pid()) : Optional.empty();
    }

    /** Fast shutdown (SIGTERM); forced after ten seconds. */
    public synchronized void stop() {
        if (master == null) {
            return;
        }
        master.destroy();
        try {
            if (!master.waitFor(10, TimeUnit.SECONDS)) {
                master.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopOrphanedWorkers();
        LOG.info("nginx stopped prefix={}", dirs.root());
    }

    @Override
    public void close() {
        stop();
    }

    private List<String> command(Path confFile, String... extra) {
        List<String> cmd = new ArrayList<>(List.of(
                binary,
                "-p", dirs.root() + "/",
                "-c", confFile.toString(),
                "-e", "stderr",
                // notices: the master's "reconfiguring" and "start worker processes" delimit its reload cycles
                "-g", "pid " + dirs.pidFile() + "; daemon off; error_log stderr notice;"));
        cmd.addAll(List.of(extra));
        return cmd;
    }

    private static CommandResult runToCompletion(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new CommandResult(-1, String.join(" ", command) + " did not finish in " + COMMAND_TIMEOUT_SECONDS + "s");
            }
            return new CommandResult(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new CommandResult(-1, "cannot run " + command.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CommandResult(-1, "interrupted while running " + String.join(" ", command));
        }
    }

    /** The last emerg/alert/crit line the running (or last) master printed, if any. */
    public Optional<String> lastSeriousLine() {
        return Optional.ofNullable(lastSeriousLine);
    }

    private static boolean isSerious(String line) {
        return line.contains("[emerg]") || line.contains("[alert]") || line.contains("[crit]");
    }

    private static void forwardOutput(Process process, String name, java.util.function.Consumer<String> onLine) {
        Thread forwarder = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.contains("[notice]")) {
                        LOG.debug("{}: {}", name, line);
                    } else {
                        LOG.info("{}: {}", name, line);
                    }
                    onLine.accept(line);
                }
            } catch (IOException e) {
                LOG.debug("{} output closed: {}", name, e.getMessage());
            }
        }, name + "-output");
        forwarder.setDaemon(true);
        forwarder.start();
    }
}
