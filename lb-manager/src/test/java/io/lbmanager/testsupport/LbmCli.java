package io.lbmanager.testsupport;

import io.lbmanager.cli.lbm.Lbm;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code lbm} CLI against a manager on a loopback port: in this JVM ({@link #run}, the
 * picocli command line itself, fast), or through the repository's {@code lbm} launcher script as a
 * separate process ({@link #launch}, {@link #runInto}). The launcher runs the shaded jar named by
 * the system property {@code lbm.jar} (set for the ITs), else this JVM's class path.
 */
public final class LbmCli {

    /** @param output stdout and stderr together, in order */
    public record Run(int exit, String output) {
    }

    private static final String POLL_SECONDS = "0.5";

    private LbmCli() {
    }

    /** @param token sent as LBM_TOKEN; null runs without one */
    public static Run run(int port, String token, String... args) {
        return inProcess(port, token, false, args);
    }

    /** As {@link #run}, with lbm told that its output is a terminal (progress redrawn in place). */
    public static Run runOnTerminal(int port, String token, String... args) {
        return inProcess(port, token, true, args);
    }

    private static Run inProcess(int port, String token, boolean terminal, String... args) {
        StringWriter output = new StringWriter();
        PrintWriter both = new PrintWriter(output, true);
        int exit = Lbm.run(args, env(port, token), both, both, terminal);
        return new Run(exit, output.toString());
    }

    /** Runs the launcher script with its output going to {@code file}, as in a CI job or a deploy pipeline; returns its exit status. */
    public static int runInto(Path file, int port, String token, String... args) throws IOException, InterruptedException {
        Process process = builder(env(port, token), args).redirectErrorStream(true).redirectOutput(file.toFile()).start();
        process.getOutputStream().close();
        return awaitExit(process, args, null);
    }

    /** Runs the launcher script against a manager on {@code port}. */
    public static Run launch(int port, String token, String... args) throws IOException, InterruptedException {
        return launch(env(port, token), args);
    }

    /** Runs the launcher script with exactly these LBM_* variables (the caller's own are removed). */
    public static Run launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Process process = builder(env, args).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(awaitExit(process, args, output), output);
    }

    private static Map<String, String> env(int port, String token) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("LBM_URL", "http://127.0.0.1:" + port, "LBM_POLL_SECONDS", POLL_SECONDS));
        if (token != null) {
            env.put("LBM_TOKEN", token);
        }
        return env;
    }

    private static ProcessBuilder builder(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(script().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("LBM_"));
        builder.environment().putAll(env);
        builder.environment().put("LBM_JAR", jar());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return builder;
    }

    private static String jar() {
        String shaded = System.getProperty("lbm.jar");
        if (shaded != null && Files.isReadable(Path.of(shaded))) {
            return shaded;
        }
        return System.getProperty("java.class.path");
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
