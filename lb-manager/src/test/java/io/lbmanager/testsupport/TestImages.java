package io.lbmanager.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Images derived from the image under test, built with the local engine's legacy builder (no
 * registry needed) and removed by the test that built them.
 */
public final class TestImages {

    private TestImages() {
    }

    /** The same image with one more label: a different image id, as a new release would have. */
    public static String withLabel(String base, String tag, String label) throws IOException, InterruptedException {
        return build(tag, "FROM " + base + "\nLABEL lb-manager.test=" + label + "\n");
    }

    /** The image with an {@code nginx} first on PATH that always fails: the agent never gets ready. */
    public static String withBrokenNginx(String base, String tag) throws IOException, InterruptedException {
        return build(tag, "FROM " + base + "\n"
                + "RUN printf '#!/bin/sh\\necho broken nginx for tests >&2\\nexit 1\\n' > /usr/local/bin/nginx"
                + " && chmod +x /usr/local/bin/nginx\n"
                + "LABEL lb-manager.test=broken\n");
    }

    /**
     * The image with a command that prints {@code line} on stderr and exits with {@code status} after
     * {@code seconds}: a release whose container dies at start.
     */
    public static String exitingAfter(String base, String tag, String line, int status, int seconds)
            throws IOException, InterruptedException {
        if (!line.matches("[a-zA-Z0-9 ._-]+")) {
            throw new IllegalArgumentException("keep the test line plain: " + line);
        }
        return build(tag, "FROM " + base + "\n"
                + "ENTRYPOINT [\"/bin/sh\", \"-c\", \"echo '" + line + "' >&2; sleep " + seconds + "; exit " + status + "\"]\n"
                + "CMD []\n"
                + "LABEL lb-manager.test=exiting\n");
    }

    public static void remove(String tag) {
        try {
            run(new ProcessBuilder("docker", "rmi", "-f", tag), null);
        } catch (IOException | InterruptedException e) {
            // best effort: the test reports its own failure
        }
    }

    private static String build(String tag, String dockerfile) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("docker", "build", "-q", "-t", tag, "-");
        builder.environment().put("DOCKER_BUILDKIT", "0");
        String output = run(builder, dockerfile);
        return tag + " " + output.strip();
    }

    private static String run(ProcessBuilder builder, String stdin) throws IOException, InterruptedException {
        builder.redirectErrorStream(true);
        Process process = builder.start();
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", builder.command()) + " failed: " + output);
        }
        return output;
    }
}
