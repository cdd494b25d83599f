package io.lbmanager.agent;

import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.render.AgentInclude;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Makes Nginx serve one version: write its directory, switch {@code live}, (re)load, and confirm
 * over HTTP. On any failure after the switch it switches back, so Nginx keeps serving the version it
 * served before. A running master checks the new config itself when it reloads and keeps the old
 * one if it cannot load it, saying why on its error log ({@link NginxProcess#reloadRefusal}), so a
 * separate {@code nginx -t} would only parse the whole config a second time; a master that is not
 * running yet would exit on such a config, so before a start the version is {@code nginx -t}-ed.
 */
public final class ConfigApplier {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigApplier.class);
    static final int VERSIONS_KEPT = 5;

    private final AgentSettings settings;
    private final VersionDirectories dirs;
    private final NginxProcess nginx;
    private final VersionProbe probe;
    private final Duration confirmTimeout;

    public ConfigApplier(AgentSettings settings, VersionDirectories dirs, NginxProcess nginx, VersionProbe probe,
                         Duration confirmTimeout) {
        this.settings = settings;
        this.dirs = dirs;
        this.nginx = nginx;
        this.probe = probe;
        this.confirmTimeout = confirmTimeout;
    }

    /**
     * @param current the version Nginx serves now (the one {@code live} points to), if any
     */
    public ApplyOutcome apply(ConfigBundle bundle, ServedVersion requested, Optional<ServedVersion> current)
            throws InterruptedException {
        long start = System.nanoTime();
        Path directory;
        try {
            String peersSocket = bundle.hasDynamicUpstreams() ? dirs.peersSocket().toString() : null;
            directory = dirs.write(bundle, requested, AgentInclude.render(
                    settings.host(), settings.trafficPort(), peersSocket, requested.version(), requested.sha256()));
        } catch (IOException e) {
            return new ApplyOutcome.Rejected(requested, "cannot write version directory: " + e.getMessage(), current);
        }
        long written = System.nanoTime();
        boolean reloading = nginx.isAlive();
        if (!reloading) {
            NginxProcess.CommandResult test = nginx.test(directory);
            if (!test.succeeded()) {
                return new ApplyOutcome.Rejected(requested, test.errorText(), current);
            }
        }
        long tested = System.nanoTime();
        Optional<Path> previous = dirs.liveDirectory();
        try {
            dirs.switchLiveTo(directory);
        } catch (IOException e) {
            return new ApplyOutcome.Rejected(requested, "cannot switch live directory: " + e.getMessage(), current);
        }
        Optional<String> loadError = loadLive(requested);
        long reloaded = System.nanoTime();
        if (loadError.isPresent()) {
            return new ApplyOutcome.Rejected(requested, loadError.get(), switchBack(previous, current));
        }
        if (probe.awaitVersion(requested, confirmTimeout, () -> !nginx.isAlive() || reloading && nginx.reloadRefusal(requested).isPresent())) {
            long confirmed = System.nanoTime();
            if (!nginx.awaitPreviousWorkersRetired(confirmTimeout)) {
                LOG.warn("agent group={} id={} workers of the previous config still took connections {} ms after version {} answered",
                        settings.group(), settings.agentId(), confirmTimeout.toMillis(), requested.version());
            }
            LOG.debug("apply group={} id={} version={} writeMs={} testMs={} reloadMs={} confirmMs={} retireMs={}", settings.group(),
                    settings.agentId(), requested.version(), millis(start, written), millis(written, tested),
                    millis(tested, reloaded), millis(reloaded, confirmed), millis(confirmed, System.nanoTime()));
            return new ApplyOutcome.Applied(requested);
        }
        Optional<String> refusal = reloading ? nginx.reloadRefusal(requested) : Optional.empty();
        if (refusal.isPresent()) {
            // the master read the files through live/, which is about to point elsewhere
            String error = refusal.get().replace(dirs.live() + "/", directory + "/");
            return new ApplyOutcome.Rejected(requested, error, pointLiveBack(previous, current));
        }
        nginx.gaveUpOn(requested);
        String error = nginx.exitCode().map(code -> "nginx exited with code " + code + " before it served version " + requested.version())
                .orElse("nginx did not serve version " + requested.version() + " within " + confirmTimeout.toMillis() + " ms")
                + nginx.lastSeriousLine().map(line -> "; last error: " + line).orElse("");
        return new ApplyOutcome.TimedOut(requested, error, switchBack(previous, current));
    }

    private static long millis(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1_000_000;
    }

    /** Starts Nginx on {@code live}, which points to {@code version}, or reloads it if it runs; the error text if that failed. */
    private Optional<String> loadLive(ServedVersion version) {
        if (nginx.isAlive()) {
            NginxProcess.CommandResult reload = nginx.reload(version);
            return reload.succeeded() ? Optional.empty() : Optional.of("reload failed: " + reload.errorText());
        }
        try {
            nginx.start();
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot start nginx: " + e.getMessage());
        }
    }

    /** After the master refused the new config and kept the old one: points {@code live} back, no reload needed. */
    private Optional<ServedVersion> pointLiveBack(Optional<Path> previous, Optional<ServedVersion> current)
            throws InterruptedException {
        try {
            if (previous.isPresent()) {
                dirs.switchLiveTo(previous.get());
            } else {
                dirs.removeLive();
            }
        } catch (IOException e) {
            LOG.error("agent group={} id={} cannot point live back to {}: {}",
                    settings.group(), settings.agentId(), previous.orElse(null), e.getMessage());
        }
        return current.isPresent() && probe.awaitVersion(current.get(), confirmTimeout) ? current : Optional.empty();
    }

    /** Points {@code live} back to where it was and reloads; what Nginx serves afterwards. */
    private Optional<ServedVersion> switchBack(Optional<Path> previous, Optional<ServedVersion> current)
            throws InterruptedException {
        try {
            if (previous.isEmpty() || current.isEmpty()) {
                nginx.stop();
                dirs.removeLive();
                return Optional.empty();
            }
            dirs.switchLiveTo(previous.get());
        } catch (IOException e) {
            LOG.error("agent group={} id={} cannot switch back to {}: {}",
                    settings.group(), settings.agentId(), previous.orElse(null), e.getMessage());
            return Optional.empty();
        }
        loadLive(current.get()).ifPresent(error -> LOG.error("agent group={} id={} switching back to version {} failed: {}",
                settings.group(), settings.agentId(), current.get().version(), error));
        return probe.awaitVersion(current.get(), confirmTimeout) ? current : Optional.empty();
    }

    /** Deletes old version directories; after an apply is reported, as nobody waits for it. */
    public void pruneOldVersions() {
        try {
            dirs.prune(VERSIONS_KEPT);
        } catch (IOException e) {
            LOG.warn("agent group={} id={} cannot prune old versions: {}", settings.group(), settings.agentId(), e.getMessage());
        }
    }
}
