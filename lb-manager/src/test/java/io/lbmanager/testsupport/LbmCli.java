package io.lbmanager.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the repository's {@code lbm} script against a manager on a loopback port. */
public final class LbmCli {

    /** @param output stdout and stderr together, in order */
    public record Run(int exit, String output) {
    }

    private LbmCli() {
    }

    /** @param token sent as LBM_TOKEN; null runs without one */
    public static Run run(int port, String token, String... args) throws IOException, InterruptedException {
        Process process = builder(port, token, args).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(awaitExit(process, args, output), output);
    }

    /** Runs lbm with its output going to {@code file}, as in a CI job or a deploy pipeline; returns its exit status. */
    public static int runInto(Path file, int port, String token, String... args) throws IOException, InterruptedException {
        Process process = builder(port, token, args).redirectErrorStream(true).redirectOutput(file.toFile()).start();
        process.getOutputStream().close();
        return awaitExit(process, args, null);
    }

    private static ProcessBuilder builder(int port, String token, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", script().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("LBM_URL", "http://127.0.0.1:" + port);
        builder.environment().remove("LBM_TOKEN");
        if (token != null) {
            builder.environment().put("LBM_TOKEN", token);
        }
        builder.environment().put("LBM_POLL_SECONDS", "0.5");
        return builder;
    }

    private static int awaitExit(Process process, String[] args, String output) throws InterruptedException {
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("lbm " + String.join(" ", args) + " did not end" + (output == null ? "" : ": " + output));
        }
        return process.exitValue();
    }

    private static Path script() {
        Path fromModule = Path.of("..", "lbm");
        return Files.exists(fromModule) ? fromModule : Path.of("lbm");
    }
}
