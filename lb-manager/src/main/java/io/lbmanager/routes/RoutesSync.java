package io.lbmanager.routes;

import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.peers.NewestOnDisk;
import io.lbmanager.peers.NginxPeersEndpoint;
import io.lbmanager.signing.VersionVerifier;
import io.lbmanager.zk.TreeWatch;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * On the agent: follows the group's routes target, reads each new routing table (verified: see
 * {@link RoutesReader}; only changed chunks are fetched) and pushes it into the local Nginx's Lua
 * router through {@code POST /_lbm/routes}: the delta from the table Nginx holds, or the whole
 * table after Nginx (re)started, when it answers 409, or at start. Nginx's answers: 200 the table
 * is served (confirmed as {@link #routesVersion()}); 409 it holds another version (the whole table
 * follows); 422 the running config lacks a profile the table names (retried after the next config
 * apply, {@link #nginxLoaded}); 400 a line is refused, 507 the dict is full (both reported as
 * {@link #failedVersion()}, so the manager reverts). A version that fails verification is refused the same way and never pushed.
 * Every table Nginx took is kept on disk ({@link RoutesFile}, written off this thread by {@link NewestOnDisk})
 * for a start without ZooKeeper.
 */
public final class RoutesSync implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RoutesSync.class);
    private static final Duration PUSH_TIMEOUT = Duration.ofSeconds(10);
    private static final long RETRY_MILLIS = 250;

    private record Held(long version, RoutingTable table) {
    }

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final String group;
    private final String label;
    private final RoutesReader reader;
    private final NginxPeersEndpoint endpoint;
    private final RoutesFile file;
    private final NewestOnDisk<RoutesFile.Stored> fileWriter;
    private final ScheduledExecutorService pusher;
    private final AtomicBoolean syncQueued = new AtomicBoolean();
    private TreeWatch watch;
    private volatile Runnable onReport = () -> { };

    /** The newest verified table (from ZooKeeper, or from disk until ZooKeeper answers). */
    private Held desired;
    private boolean targetRead;
    private boolean targetExists;
    /** What Nginx's router holds; null after a (re)start until a whole table went in. */
    private Held inNginx;
    /** The profiles of the config Nginx runs; null while it runs none with the Lua router. */
    private Set<String> profiles;
    private volatile long routesVersion;
    private volatile long failedVersion;
    private volatile String error;

    public RoutesSync(CuratorFramework client, ZkLayout layout, String group, Path nginxSocket, String label,
                      Optional<VersionVerifier> verifier, RoutesFile file) {
        this.client = client;
        this.layout = layout;
        this.group = group;
        this.label = label;
        this.reader = new RoutesReader(client, layout, group, verifier);
        this.endpoint = new NginxPeersEndpoint(nginxSocket, PUSH_TIMEOUT);
        this.file = file;
        this.fileWriter = new NewestOnDisk<>("routes-file-" + label, label, NewestOnDisk.AGENT_GAP, stored -> file.write(stored.version(), stored.table()),
                stored -> "routes version " + stored.version());
        this.pusher = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "routes-" + label));
    }

    /** The profiles a config bundle's router has ({@code ConfigBundle.PROFILES_FILE}); null when the config does not route by Lua. */
    public static Set<String> profilesOf(java.util.Map<String, String> bundleFiles) {
        String listed = bundleFiles.get(io.lbmanager.contract.ConfigBundle.PROFILES_FILE);
        if (listed == null) {
            return null;
        }
        Set<String> names = new TreeSet<>();
        listed.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).forEach(names::add);
        return names;
    }

    /** Called (on the push thread) when {@link #routesVersion()}, {@link #failedVersion()} or {@link #error()} changed. */
    public RoutesSync reportingTo(Runnable listener) {
        this.onReport = listener;
        return this;
    }

    public void start() {
        watch = TreeWatch.node(client, layout.routesTarget(group), TreeWatch.Events.onAnyChange(this::queueSync)).start();
        queueSync();
    }

    /** For a start without ZooKeeper: the table last pushed, until ZooKeeper's first read replaces it. */
    public synchronized void seedFromDisk() {
        if (targetRead) {
            return;
        }
        try {
            file.read(group).ifPresent(stored -> desired = new Held(stored.version(), stored.table()));
        } catch (IOException e) {
            LOG.warn("agent {} does not use the routing table on disk: {}", label, e.getMessage());
        }
    }

    /** Nginx is about to (re)start: its router's dict is empty until the next {@link #nginxLoaded}; not ready meanwhile. */
    public synchronized void nginxLoading() {
        inNginx = null;
        routesVersion = 0;
    }

    /**
     * Nginx now runs a config whose router has {@code configProfiles} (null: a config without the Lua
     * router). Reads the target (when ZooKeeper answers) and pushes the whole table before returning.
     */
    public synchronized void nginxLoaded(Set<String> configProfiles) {
        if (runs(configProfiles)) {
            readTarget();
            push();
        }
    }

    /** As {@link #nginxLoaded}, pushing the table known now (from disk) without asking ZooKeeper, which did not answer. */
    public synchronized void nginxLoadedFromDisk(Set<String> configProfiles) {
        if (runs(configProfiles)) {
            push();
            queueSync();
        }
    }

    private boolean runs(Set<String> configProfiles) {
        profiles = configProfiles == null ? null : Set.copyOf(configProfiles);
        if (profiles == null) {
            inNginx = null;
            routesVersion = 0;
        }
        return profiles != null;
    }

    /**
     * False while Nginx runs the router with no table in it although one is published (or known from
     * disk): after a (re)start the whole table goes in before the agent is ready for traffic.
     */
    public synchronized boolean tableLoaded() {
        return profiles == null || inNginx != null || (desired == null && targetRead && !targetExists);
    }

    /** The routing table version Nginx's router holds (0: none). */
    public long routesVersion() {
        return routesVersion;
    }

    /** The version refused last (by verification or by Nginx); 0 once a later one is served. */
    public long failedVersion() {
        return failedVersion;
    }

    /** Why that version was refused, or why the table is not pushed yet. */
    public String error() {
        return error;
    }

    private void queueSync() {
        if (syncQueued.compareAndSet(false, true)) {
            try {
                pusher.execute(() -> {
                    syncQueued.set(false);
                    sync();
                });
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // closed
            }
        }
    }

    private synchronized void sync() {
        readTarget();
        push();
    }

    private void readTarget() {
        Optional<PublishedVersion> target;
        try {
            target = reader.target();
        } catch (Exception e) {
            if (!targetRead) {
                noteError("cannot read the routes target: " + e.getMessage());
            }
            return;
        }
        targetRead = true;
        targetExists = target.isPresent();
        if (target.isEmpty() || (desired != null && desired.version() == target.get().version())
                || target.get().version() == failedVersion) {
            return;
        }
        RoutesReader.Read read;
        try {
            read = reader.read(target.get());
        } catch (Exception e) {
            noteError("cannot read routes version " + target.get().version() + ": " + e.getMessage());
            pusher.schedule(this::queueSync, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        if (read instanceof RoutesReader.Read.Refused refused) {
            refuse(refused.version(), "refused: " + refused.reason());
        } else if (read instanceof RoutesReader.Read.Table table) {
            desired = new Held(table.version(), table.table());
        }
    }

    private void push() {
        if (profiles == null) {
            return;
        }
        Held want = desired;
        if (want == null || (inNginx != null && inNginx.version() == want.version())) {
            return;
        }
        Set<String> lacking = new TreeSet<>(want.table().profiles());
        lacking.removeAll(profiles);
        if (!lacking.isEmpty()) {
            noteError("routes version " + want.version() + " names profiles " + lacking
                    + " the running config lacks; waiting for the next config apply");
            return;
        }
        Held from = inNginx;
        String body = from == null ? RoutesPush.wholeTable(want.version(), want.table())
                : RoutesPush.delta(from.version(), want.version(), from.table().deltaTo(want.table()));
        NginxPeersEndpoint.Answer answer;
        try {
            answer = endpoint.post("/_lbm/routes", body);
        } catch (IOException e) {
            noteError("cannot push routes to nginx: " + e.getMessage());
            pusher.schedule(this::queueSync, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        switch (answer.status()) {
            case 200 -> served(want, from == null ? "table" : "delta");
            case 409 -> {
                LOG.info("agent {} nginx holds routes {} not {}; pushing the whole table", label, answer.body(), from.version());
                inNginx = null;
                push();
            }
            case 422 -> noteError("nginx lacks a profile of routes version " + want.version() + " (" + answer.body()
                    + "); waiting for the next config apply");
            case 400, 507 -> refuse(want.version(), "nginx refused routes version " + want.version() + " (" + answer.status() + "): "
                    + answer.body());
            default -> {
                noteError("nginx answered " + answer.status() + " to routes version " + want.version() + ": " + answer.body());
                pusher.schedule(this::queueSync, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void served(Held table, String how) {
        inNginx = table;
        routesVersion = table.version();
        if (failedVersion != 0 && failedVersion < table.version()) {
            failedVersion = 0;
        }
        if (error != null) {
            error = null;
        }
        LOG.info("agent {} routesVersion={} services={} pushed={}", label, table.version(), table.table().size(), how);
        onReport.run();
        fileWriter.keep(new RoutesFile.Stored(table.version(), table.table()));
    }

    private void refuse(long version, String reason) {
        failedVersion = version;
        error = reason;
        LOG.warn("agent {} routesVersion={} refused version={} reason={}", label, routesVersion, version, reason);
        onReport.run();
    }

    private void noteError(String reason) {
        if (!reason.equals(error)) {
            LOG.warn("agent {} routes: {}", label, reason);
            error = reason;
            onReport.run();
        }
    }

    @Override
    public void close() {
        pusher.shutdownNow();
        if (watch != null) {
            watch.close();
        }
        endpoint.close();
        fileWriter.close();
    }
}
