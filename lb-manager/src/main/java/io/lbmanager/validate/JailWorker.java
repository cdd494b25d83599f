package io.lbmanager.validate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A jail kept alive between runs: a shell inside it runs its one command once per line the
 * manager writes, with output to a file, answers with the exit status, then kills whatever the
 * run left behind in the jail's PID namespace. The namespaces and mounts are set up once, so a
 * run costs one fork and exec, as an unjailed run does. One run at a time; the owner empties the
 * directory between runs.
 */
final class JailWorker implements AutoCloseable {

    /** $0 is the output file, the rest the command; {@code kill -9 -1} never reaches pid 1 or the shell itself. */
    static final String LOOP = "while read -r _; do \"$@\" >\"$0\" 2>&1 </dev/null; echo \"$?\"; kill -9 -1 2>/dev/null; done";

    private static final String ENDED = "\u0000ended";

    private final Path dir;
    private final List<String> command;
    private final Process process;
    private final OutputStream requests;
    private final BlockingQueue<String> said = new LinkedBlockingQueue<>();
    private long idleSinceNanos = System.nanoTime();

    private JailWorker(Path dir, List<String> command, Process process) {
        this.dir = dir;
        this.command = command;
        this.process = process;
        this.requests = process.getOutputStream();
        Thread reader = new Thread(this::readAnswers, "nginx-jail-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** @param jailed the jail's command line around {@code /bin/sh -c LOOP output command...} */
    static JailWorker start(Path dir, List<String> command, List<String> jailed) throws IOException {
        Process process = new ProcessBuilder(jailed).redirectErrorStream(true).start();
        return new JailWorker(dir, command, process);
    }

    Path dir() {
        return dir;
    }

    List<String> command() {
        return command;
    }

    boolean alive() {
        return process.isAlive();
    }

    long idleNanos() {
        return System.nanoTime() - idleSinceNanos;
    }

    void idle() {
        idleSinceNanos = System.nanoTime();
    }

    /** @return the command's exit status; on a timeout or an ended jail this worker is closed */
    int run(Duration timeout) throws IOException, TimeoutException, InterruptedException {
        try {
            requests.write('\n');
            requests.flush();
        } catch (IOException e) {
            close();
            throw new IOException("the nginx jail ended before the run: " + diagnostics(List.of()), e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> other = new ArrayList<>();
        while (true) {
            String line = said.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                close();
                throw new TimeoutException();
            }
            if (line.equals(ENDED)) {
                close();
                throw new IOException("the nginx jail ended during the run: " + diagnostics(other));
            }
            if (line.matches("\\d{1,3}")) {
                return Integer.parseInt(line);
            }
            other.add(line);
        }
    }

    private String diagnostics(List<String> other) {
        List<String> lines = new ArrayList<>(other);
        said.drainTo(lines);
        lines.remove(ENDED);
        String text = String.join("; ", lines).strip();
        return text.isEmpty() ? "(it said nothing)" : NginxJail.firstLine(text.getBytes(StandardCharsets.UTF_8));
    }

    private void readAnswers() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                said.add(line);
            }
        } catch (IOException ignored) {
            // the process is gone: the same as the end of its output
        }
        said.add(ENDED);
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
