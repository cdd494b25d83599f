package io.lbmanager.validate;

import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.render.AgentInclude;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs the real {@code nginx -t} on a bundle in an empty sandbox directory: the bundle, a
 * stand-in {@link ConfigBundle#AGENT_FILE}, and the {@code tmp/} and {@code logs/} directories
 * the agent also creates. Every bundle is first held against {@link RenderedConfigPolicy} (team
 * values are in it), then checked inside the {@link NginxJail}; when the jail cannot run here,
 * nothing is checked ({@link JailUnavailableException}). Maps what Nginx says back to bundle files
 * and services, never echoing a file outside the bundle. Thread-safe: every call has a sandbox of its own.
 */
public final class NginxValidator {

    static final String STAND_IN_SHA256 = "0".repeat(64);
    static final List<String> PREFIX_DIRS = List.of("tmp", "logs");

    private static final Path IN_MEMORY = Path.of("/dev/shm");

    private final String nginxBinary;
    private final Duration timeout;
    private final Path sandboxParent;
    private final NginxJail jail;

    /** Jailed with bubblewrap ({@code bwrap} on the PATH). */
    public NginxValidator(String nginxBinary, Duration timeout) {
        this(nginxBinary, timeout, defaultSandboxParent());
    }

    /** Jailed with bubblewrap ({@code bwrap} on the PATH). */
    public NginxValidator(String nginxBinary, Duration timeout, Path sandboxParent) {
        this(nginxBinary, timeout, sandboxParent, NginxJail.of("bwrap", "bwrap", io.lbmanager.render.UpstreamMode.DEBIAN_MODULES_DIR));
    }

    /** @param sandboxParent the directory each check's sandbox is created in */
    public NginxValidator(String nginxBinary, Duration timeout, Path sandboxParent, NginxJail jail) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        this.nginxBinary = nginxBinary;
        this.timeout = timeout;
        this.sandboxParent = sandboxParent;
        this.jail = jail;
    }

    public NginxJail jail() {
        return jail;
    }

    /**
     * {@code /dev/shm} when it is a writable directory, else the JVM's temporary directory: on a
     * busy shared disk, creating and deleting the sandbox's files costs more than {@code nginx -t}.
     */
    public static Path defaultSandboxParent() {
        return Files.isDirectory(IN_MEMORY) && Files.isWritable(IN_MEMORY) ? IN_MEMORY : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * @throws JailUnavailableException when the jail cannot run on this host
     */
    public ValidationResult validate(ConfigBundle bundle) {
        List<ConfigError> refused = RenderedConfigPolicy.refusals(bundle.files(), bundle.files().keySet(), null);
        if (!refused.isEmpty()) {
            return new ValidationResult.Invalid(refused);
        }
        return checkInJail(bundle);
    }

    /** nginx -t in the jail without the policy first: for the test that the jail holds on its own. */
    ValidationResult checkInJail(ConfigBundle bundle) {
        Optional<String> unavailable = jail.unavailable();
        if (unavailable.isPresent()) {
            throw new JailUnavailableException("nginx -t is not run on proposed configuration without its jail (nginx.jail: bwrap): "
                    + unavailable.get());
        }
        if (!bundle.files().containsKey(ConfigBundle.MAIN_FILE)) {
            return invalid(new ConfigError(null, null, null, "bundle has no " + ConfigBundle.MAIN_FILE));
        }
        Path binary = resolveBinary(nginxBinary);
        if (!Files.isExecutable(binary)) {
            return invalid(new ConfigError(null, null, null, "cannot run " + nginxBinary + ": no such executable file"));
        }
        Map<String, List<String>> hosts = jail instanceof NginxJail.Unjailed ? Map.of() : UpstreamHostNames.resolved(bundle.files());
        try (NginxJail.Sandbox sandbox = jail.open(sandboxParent, binary, dir -> nginxTest(binary, dir.resolve("conf")))) {
            Path prefix = Files.createDirectory(sandbox.dir().resolve("conf"));
            try {
                bundle.writeTo(prefix);
            } catch (IOException e) {
                return invalid(new ConfigError(null, null, null, e.getMessage()));
            }
            writeStandIns(bundle, prefix);
            return runNginxTest(sandbox, prefix, hosts);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the nginx -t sandbox", e);
        }
    }

    private static List<String> nginxTest(Path binary, Path prefix) {
        return List.of(binary.toString(), "-t", "-q",
                "-p", prefix + "/",
                "-c", prefix.resolve(ConfigBundle.MAIN_FILE).toString(),
                "-e", "stderr",
                "-g", "pid " + prefix.resolve("tmp").resolve("nginx.pid") + ";");
    }

    private static void writeStandIns(ConfigBundle bundle, Path prefix) throws IOException {
        for (String dir : PREFIX_DIRS) {
            Files.createDirectories(prefix.resolve(dir));
        }
        if (!bundle.files().containsKey(ConfigBundle.AGENT_FILE)) {
            String peersSocket = bundle.hasDynamicUpstreams() ? prefix.resolve("tmp").resolve("peers.sock").toString() : null;
            Files.writeString(prefix.resolve(ConfigBundle.AGENT_FILE),
                    AgentInclude.render("127.0.0.1", 8080, peersSocket, 0, STAND_IN_SHA256), StandardCharsets.UTF_8);
        }
    }

    private ValidationResult runNginxTest(NginxJail.Sandbox sandbox, Path prefix, Map<String, List<String>> hosts) throws IOException {
        int status;
        try {
            status = sandbox.run(hosts, timeout);
        } catch (java.util.concurrent.TimeoutException e) {
            return invalid(new ConfigError(null, null, null, "nginx -t timed out after " + describe(timeout)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return invalid(new ConfigError(null, null, null, "interrupted while waiting for nginx -t"));
        } catch (IOException e) {
            return invalid(new ConfigError(null, null, null, "cannot run " + nginxBinary + ": " + e.getMessage()));
        }
        if (status == 0) {
            return new ValidationResult.Valid();
        }
        String said = NginxErrors.limited(Files.readString(sandbox.output(), StandardCharsets.UTF_8));
        List<ConfigError> errors = new ArrayList<>(NginxErrors.parse(said, prefix));
        if (errors.isEmpty()) {
            errors.add(new ConfigError(null, null, null, "nginx -t exited with status " + status
                    + ": " + NginxErrors.clipped(said.replace(prefix + "/", "").strip())));
        }
        return new ValidationResult.Invalid(errors);
    }

    /** {@code binary} itself when it names a path, else the first executable of that name on the PATH. */
    static Path resolveBinary(String binary) {
        if (binary.contains("/")) {
            return Path.of(binary).toAbsolutePath();
        }
        String searchPath = System.getenv().getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : searchPath.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, binary))) {
                return Path.of(dir, binary);
            }
        }
        return Path.of(binary);
    }

    static String describe(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? (millis / 1000) + "s" : millis + "ms";
    }

    private static ValidationResult invalid(ConfigError error) {
        return new ValidationResult.Invalid(List.of(error));
    }

    /** Deletes a scratch directory of an nginx run (a sandbox, a probe); a leftover is harmless, so failures are ignored. */
    public static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // a leftover temp directory must not turn a verdict into an error
        }
    }
}
