package io.lbmanager.agent;

import io.lbmanager.contract.AgentState;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.AgentUpstreams;
import io.lbmanager.contract.WakeRequests;
import io.lbmanager.contract.BundleCodec;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.peers.PeerListFile;
import io.lbmanager.peers.PeerSync;
import io.lbmanager.routes.RoutesFile;
import io.lbmanager.routes.RoutesSync;
import io.lbmanager.signing.SigningKeys;
import io.lbmanager.signing.VersionSignature;
import io.lbmanager.signing.VersionVerifier;
import io.lbmanager.zk.AgentAcls;
import io.lbmanager.zk.ZkCredentials;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs next to one Nginx: follows the group's target in ZooKeeper, applies each new version,
 * supervises the Nginx master and reports what it serves in its ephemeral status node. All work
 * happens on one thread, so applies never overlap. ZooKeeper trouble never stops Nginx.
 */
public final class ConfigAgent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigAgent.class);
    private static final Duration SUPERVISE_EVERY = Duration.ofSeconds(1);
    private static final Duration CATCH_UP_EVERY = Duration.ofSeconds(30);
    private static final Duration START_RETRY_FIRST = Duration.ofSeconds(5);
    private static final Duration START_RETRY_MAX = Duration.ofSeconds(60);
    /** How long a starting agent waits for ZooKeeper before it serves its last good version from disk. */
    private static final Duration DISK_FALLBACK_AFTER = Duration.ofSeconds(3);

    private final AgentSettings settings;
    private final CuratorFramework client;
    private final NginxProcess nginx;
    private final VersionProbe probe;
    private final ConfigApplier applier;
    private final GroupTarget target;
    private final StatusNode statusNode;
    private final PeerSync peers;
    private final RoutesSync routes;
    private final UpstreamsReport upstreamsReport;
    private final HibernationRelay hibernation;
    private final UsageShipper usage;
    private final VersionDirectories dirs;
    private final LastGoodVersion lastGood;
    private final Optional<VersionVerifier> signatures;
    private final ScheduledExecutorService worker;
    private final AtomicBoolean catchUpQueued = new AtomicBoolean();

    private volatile AgentStatus status;
    private volatile Optional<PublishedVersion> knownTarget = Optional.empty();
    private Optional<ServedVersion> running = Optional.empty();
    private Optional<ServedVersion> lastFailed = Optional.empty();
    private long startRetryMillis = START_RETRY_FIRST.toMillis();
    private boolean runningDynamic;
    /** The Lua router's profiles of the config Nginx runs; null when it runs none. */
    private Set<String> runningProfiles;
    private long applies;
    private volatile boolean zkTroubleLogged;
    private volatile boolean zooKeeperAnswered;
    private volatile Optional<ServedVersion> fromDisk = Optional.empty();
    private boolean restartFailing;

    /**
     * How long Nginx may take to serve a version after the agent asked it to: the master parses the
     * whole config first, which takes seconds at 10,000 services on a busy host. A config it refuses
     * is reported at once, not after this. Below the manager's default rollout deadline (30 s).
     */
    public static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(25);

    public ConfigAgent(AgentSettings settings, CuratorFramework client, Duration confirmTimeout) {
        this.settings = settings;
        this.client = client;
        this.dirs = new VersionDirectories(settings.runtimeDir());
        this.lastGood = new LastGoodVersion(dirs.root());
        this.nginx = new NginxProcess(settings.nginxBinary(), dirs, settings.zone(), settings.maxOldGenerations());
        this.probe = new VersionProbe(settings.host(), settings.trafficPort());
        this.applier = new ConfigApplier(settings, dirs, nginx, probe, confirmTimeout);
        ZkLayout layout = new ZkLayout(settings.zkRoot());
        this.target = new GroupTarget(client, layout, settings.group());
        this.statusNode = new StatusNode(client, layout.agent(settings.group(), settings.agentId()));
        this.peers = new PeerSync(client, layout, settings.group(), dirs.peersSocket(), settings.group() + "/" + settings.agentId())
                .keepingListsIn(new PeerListFile(lastGood.file().resolveSibling("peers.json")));
        this.upstreamsReport = new UpstreamsReport(settings, peers, dirs.peersSocket());
        this.hibernation = new HibernationRelay(client, layout, dirs.peersSocket(), settings.group() + "/" + settings.agentId());
        this.usage = new UsageShipper(settings, client, layout, dirs.peersSocket(), nginx::pid);
        this.signatures = Optional.ofNullable(settings.signingPublicKey())
                .map(key -> new VersionVerifier(SigningKeys.parsePublicKey(key, "the signing public key")));
        this.routes = new RoutesSync(client, layout, settings.group(), dirs.peersSocket(), settings.group() + "/" + settings.agentId(),
                signatures, new RoutesFile(lastGood.file().resolveSibling("routes.txt")));
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "agent-" + settings.agentId()));
        this.status = statusOf(AgentState.STARTING, null);
        routes.reportingTo(() -> {
            if (!worker.isShutdown()) {
                worker.execute(this::refreshPeerFields);
            }
        });
        nginx.onLateRefusal((version, error) -> worker.execute(() -> refusedLate(version, error)));
    }

    /** Nginx refused a version after its reload timed out: if that is still the failure reported, say why now. */
    private void refusedLate(ServedVersion version, String error) {
        if (status.state() == AgentState.FAILED && lastFailed.equals(Optional.of(version))) {
            report(AgentState.FAILED, "version " + version.version() + ": " + error);
        }
    }

    /** A ZooKeeper client with the agent's timeouts; the caller starts it through {@link #start()}. */
    public static CuratorFramework zooKeeperClient(String connectString) {
        return clientBuilder(connectString).build();
    }

    /** The same, authenticating with the agent's credentials when it has them (its status node then is its own). */
    public static CuratorFramework zooKeeperClient(AgentSettings settings) {
        if (settings.zkAuth() == null) {
            return zooKeeperClient(settings.zkConnect());
        }
        ZkCredentials credentials = ZkCredentials.parse(settings.zkAuth(), "LBM_ZK_AUTH");
        return clientBuilder(settings.zkConnect())
                .authorization(ZkCredentials.SCHEME, credentials.authBytes())
                .aclProvider(new AgentAcls(credentials))
                .build();
    }

    private static CuratorFrameworkFactory.Builder clientBuilder(String connectString) {
        return CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(15_000)
                .connectionTimeoutMs(5_000)
                .retryPolicy(new ExponentialBackoffRetry(250, 3, 2_000));
    }

    /** Connects (without waiting), registers as STARTING, then applies the target once one exists. */
    public void start() {
        LOG.info("agent group={} id={} version=0 state=STARTING host={} trafficPort={} adminPort={}",
                settings.group(), settings.agentId(), settings.host(), settings.trafficPort(), settings.adminPort());
        if (signatures.isEmpty()) {
            LOG.warn("agent group={} id={} has no signing public key (LBM_SIGNING_PUBLIC_KEY): it serves any version "
                    + "ZooKeeper holds, signed or not", settings.group(), settings.agentId());
        }
        client.getConnectionStateListenable().addListener((c, state) -> onConnectionChange(state));
        if (client.getState() == org.apache.curator.framework.imps.CuratorFrameworkState.LATENT) {
            client.start();
        }
        peers.start();
        routes.start();
        hibernation.start();
        target.watch(this::queueCatchUp);
        worker.execute(() -> statusNode.publish(status));
        worker.execute(this::serveFromDiskUnlessZooKeeperAnswers);
        queueCatchUp();
        usage.start();
        worker.scheduleWithFixedDelay(this::superviseNginx, SUPERVISE_EVERY.toMillis(), SUPERVISE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        worker.scheduleWithFixedDelay(this::queueCatchUp, CATCH_UP_EVERY.toMillis(), CATCH_UP_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    public AgentStatus status() {
        return status;
    }

    /** What Nginx routes to and how much (read from Nginx, at most once a second). */
    public AgentUpstreams upstreams() {
        return upstreamsReport.read();
    }

    /** The hibernated services this agent's Nginx asked to wake (see {@link HibernationRelay}). */
    public WakeRequests wakeRequests() {
        return new WakeRequests(settings.agentId(), hibernation.wakeRequests(), hibernation.holding());
    }

    /** Peer pushes happen off this agent's thread; their count and error reach the status node once a second. */
    private void refreshPeerFields() {
        AgentStatus current = status;
        if (current.peerPushes() != peers.pushes() || current.peersZxid() != peers.pushedZxid()
                || !Objects.equals(current.peerError(), peers.error())
                || !current.upstreams().equals(upstreamsMode())
                || current.routesVersion() != routes.routesVersion() || current.routesFailedVersion() != routes.failedVersion()
                || !Objects.equals(current.routesError(), routes.error())) {
            report(current.state(), current.error());
        }
    }

    private String upstreamsMode() {
        return peers.nginxTakesPeers() ? AgentStatus.UPSTREAMS_DYNAMIC : AgentStatus.UPSTREAMS_RELOAD;
    }

    public boolean nginxAlive() {
        return nginx.isAlive();
    }

    /** Ready only when Nginx itself answers with the target version this agent last read. */
    public Readiness readiness() {
        Optional<PublishedVersion> goal = knownTarget;
        Optional<ServedVersion> disk = fromDisk;
        if (goal.isEmpty() && disk.isPresent()) {
            Readiness fromDisk = DiskStart.readiness(disk.get(), probe.servedVersion(), peers.knownListsPushed(), settings);
            return fromDisk.ready() && !routes.tableLoaded()
                    ? new Readiness(false, "nginx serves version " + disk.get().version() + " from disk but its routing table is not pushed yet")
                    : fromDisk;
        }
        if (goal.isEmpty() && !zooKeeperAnswered) {
            return new Readiness(false, DiskStart.nothingToServe(settings, lastGood.file()));
        }
        if (goal.isEmpty()) {
            return new Readiness(false, "no target version published for group " + settings.group() + " yet");
        }
        ServedVersion wanted = new ServedVersion(goal.get().version(), goal.get().sha256());
        Optional<ServedVersion> served = probe.servedVersion();
        if (served.isEmpty()) {
            return new Readiness(false, "nginx does not answer on " + settings.host() + ":" + settings.trafficPort());
        }
        if (!served.get().equals(wanted)) {
            return new Readiness(false, "nginx serves version " + served.get().version() + ", target is " + wanted.version());
        }
        if (!peers.listsLoaded()) {
            return new Readiness(false, "nginx serves target version " + wanted.version() + " but its peer lists are not all pushed yet"
                    + (peers.error() == null ? "" : ": " + peers.error()));
        }
        if (!routes.tableLoaded()) {
            return new Readiness(false, "nginx serves target version " + wanted.version() + " but its routing table is not pushed yet"
                    + (routes.error() == null ? "" : ": " + routes.error()));
        }
        return new Readiness(true, "nginx serves target version " + wanted.version());
    }

    private void onConnectionChange(ConnectionState state) {
        switch (state) {
            case CONNECTED, RECONNECTED -> {
                LOG.info("agent group={} id={} zookeeper={}", settings.group(), settings.agentId(), state);
                zkTroubleLogged = false;
                worker.execute(statusNode::rewrite);
                queueCatchUp();
            }
            case SUSPENDED, LOST -> LOG.warn("agent group={} id={} zookeeper={}; nginx keeps serving version {}",
                    settings.group(), settings.agentId(), state, status.runningVersion());
            default -> {
            }
        }
    }

    private void queueCatchUp() {
        if (catchUpQueued.compareAndSet(false, true)) {
            worker.execute(() -> {
                catchUpQueued.set(false);
                catchUpToTarget();
            });
        }
    }

    private void catchUpToTarget() {
        Optional<PublishedVersion> published;
        try {
            published = target.read();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            if (!zkTroubleLogged) {
                LOG.warn("agent group={} id={} cannot read target ({}); nginx keeps serving version {}",
                        settings.group(), settings.agentId(), e.toString(), status.runningVersion());
                zkTroubleLogged = true;
            }
            return;
        }
        zooKeeperAnswered = true;
        knownTarget = published;
        if (published.isEmpty()) {
            return;
        }
        ServedVersion wanted = new ServedVersion(published.get().version(), published.get().sha256());
        if (running.equals(Optional.of(wanted))) {
            if ((status.state() != AgentState.READY || fromDisk.isPresent()) && nginx.isAlive()) {
                caughtUpFromDisk();
                report(AgentState.READY, null);
            }
            return;
        }
        if (lastFailed.equals(Optional.of(wanted)) && running.isPresent()) {
            return; // a version fails the same way twice; Nginx serves the previous one meanwhile
        }
        applyVersion(wanted);
    }

    private void applyVersion(ServedVersion wanted) {
        ApplyOutcome outcome;
        boolean dynamic = false;
        byte[] node = null;
        VersionSignature signature = null;
        Set<String> profiles = null;
        try {
            node = target.readVersionNode(wanted.version());
            signature = signatures.isPresent() ? target.readSignature(wanted.version()) : null;
            Optional<String> refusal = signatures.isPresent()
                    ? signatures.get().check(settings.group(), wanted.version(), node, signature) : Optional.empty();
            ConfigBundle bundle = refusal.isPresent() ? null : BundleCodec.decode(target.versionPath(wanted.version()), node);
            dynamic = bundle != null && bundle.hasDynamicUpstreams();
            profiles = bundle == null ? null : RoutesSync.profilesOf(bundle.files());
            if (refusal.isPresent()) {
                outcome = new ApplyOutcome.Rejected(wanted, "refused: " + refusal.get(), running);
            } else if (!bundle.sha256().equals(wanted.sha256())) {
                outcome = new ApplyOutcome.Rejected(wanted, "bundle at " + target.versionPath(wanted.version())
                        + " has sha256 " + bundle.sha256() + ", target says " + wanted.sha256(), running);
            } else {
                if (dynamic && (!runningDynamic || !nginx.isAlive())) {
                    peers.nginxLoading();
                }
                if (profiles != null && (runningProfiles == null || !nginx.isAlive())) {
                    routes.nginxLoading();
                }
                outcome = applier.apply(bundle, wanted, running);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            outcome = new ApplyOutcome.Rejected(wanted, "cannot read version " + wanted.version() + ": " + e.getMessage(), running);
        }
        if (outcome instanceof ApplyOutcome.Applied applied) {
            running = Optional.of(applied.requested());
            lastFailed = Optional.empty();
            startRetryMillis = START_RETRY_FIRST.toMillis();
            applies++;
            runningDynamic = dynamic;
            runningProfiles = profiles;
            nginx.rememberWorkers();
            caughtUpFromDisk();
            keepOnDisk(wanted, node, signature);
            if (!pushPeers()) {
                return;
            }
            routes.nginxLoaded(runningProfiles);
            report(AgentState.READY, null);
            applier.pruneOldVersions();
        } else if (outcome instanceof ApplyOutcome.Rejected rejected) {
            failed(rejected.requested(), rejected.error(), rejected.stillServing());
        } else if (outcome instanceof ApplyOutcome.TimedOut timedOut) {
            failed(timedOut.requested(), timedOut.error(), timedOut.stillServing());
        }
    }

    /** The applied version as ZooKeeper held it, for a restart without ZooKeeper; a full disk costs only that. */
    private void keepOnDisk(ServedVersion applied, byte[] node, VersionSignature signature) {
        try {
            lastGood.remember(settings.group(), applied, node, signature);
        } catch (IOException e) {
            LOG.warn("agent group={} id={} cannot keep version {} on disk for a restart without ZooKeeper: {}", settings.group(),
                    settings.agentId(), applied.version(), e.getMessage());
        }
    }

    private void caughtUpFromDisk() {
        if (fromDisk.isPresent()) {
            LOG.info("agent group={} id={} zookeeper answers again; no longer serving version {} from disk", settings.group(),
                    settings.agentId(), fromDisk.get().version());
            fromDisk = Optional.empty();
        }
    }

    /**
     * At start, when ZooKeeper does not answer within {@link #DISK_FALLBACK_AFTER}: Nginx serves the
     * last version this agent applied (checked again: signature, sha256) and the peer lists it last
     * pushed, until ZooKeeper answers. Without one on disk, Nginx stays down and {@code /ready} says why.
     */
    private void serveFromDiskUnlessZooKeeperAnswers() {
        try {
            if (client.blockUntilConnected((int) DISK_FALLBACK_AFTER.toMillis(), TimeUnit.MILLISECONDS) || running.isPresent()) {
                return;
            }
            Optional<LastGoodVersion.Loaded> stored = lastGood.load(settings.group(), signatures);
            if (stored.isEmpty()) {
                LOG.warn("agent group={} id={} version=0 state=STARTING {}", settings.group(), settings.agentId(),
                        DiskStart.nothingToServe(settings, lastGood.file()));
                return;
            }
            if (stored.get() instanceof LastGoodVersion.Loaded.Refused refused) {
                LOG.warn("agent group={} id={} version=0 state=STARTING zookeeper does not answer and the version on disk ({}) "
                        + "is not served: {}", settings.group(), settings.agentId(), refused.version(), refused.reason());
                return;
            }
            LastGoodVersion.Loaded.Usable usable = (LastGoodVersion.Loaded.Usable) stored.get();
            serveFromDisk(usable);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.warn("agent group={} id={} cannot read its last good version from disk: {}", settings.group(), settings.agentId(),
                    e.getMessage());
        }
    }

    private void serveFromDisk(LastGoodVersion.Loaded.Usable usable) throws IOException, InterruptedException {
        boolean dynamic = usable.bundle().hasDynamicUpstreams();
        Set<String> profiles = RoutesSync.profilesOf(usable.bundle().files());
        dirs.discard(usable.version());
        if (profiles != null) {
            routes.seedFromDisk();
            routes.nginxLoading();
        }
        if (dynamic) {
            peers.seed(new PeerListFile(lastGood.file().resolveSibling("peers.json")).read());
            peers.nginxLoading();
        }
        ApplyOutcome outcome = applier.apply(usable.bundle(), usable.version(), Optional.empty());
        if (!(outcome instanceof ApplyOutcome.Applied)) {
            LOG.warn("agent group={} id={} cannot serve version {} from disk: {}", settings.group(), settings.agentId(),
                    usable.version().version(), outcome);
            return;
        }
        running = Optional.of(usable.version());
        runningDynamic = dynamic;
        runningProfiles = profiles;
        fromDisk = running;
        nginx.rememberWorkers();
        peers.nginxLoadedFromDisk(dynamic);
        routes.nginxLoadedFromDisk(profiles);
        report(AgentState.READY, "serving version " + usable.version().version() + " from disk: ZooKeeper did not answer at start");
    }

    /** Every peer list into the Nginx that just (re)loaded, if its config balances dynamically; false if interrupted. */
    private boolean pushPeers() {
        try {
            peers.nginxLoaded(runningDynamic && running.isPresent());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void failed(ServedVersion requested, String error, Optional<ServedVersion> stillServing) {
        running = stillServing;
        pushPeers();
        lastFailed = Optional.of(requested);
        report(AgentState.FAILED, "version " + requested.version() + ": " + error);
        if (running.isEmpty()) {
            // Nothing is served: a start can fail for a while (its port still taken), so try again, less and less often.
            worker.schedule(this::queueCatchUp, startRetryMillis, TimeUnit.MILLISECONDS);
            startRetryMillis = Math.min(startRetryMillis * 2, START_RETRY_MAX.toMillis());
        }
    }

    /** Restarts a dead Nginx master from {@code live}, which always holds the last good version. */
    private void superviseNginx() {
        refreshPeerFields();
        statusNode.retryIfFailed();
        if (nginx.isAlive()) {
            nginx.rememberWorkers();
            return;
        }
        if (running.isEmpty()) {
            return;
        }
        String exit = "nginx exited" + nginx.exitCode().map(code -> " with code " + code).orElse("");
        if (!restartFailing) {
            LOG.warn("agent group={} id={} {}; restarting version {}", settings.group(), settings.agentId(), exit,
                    running.get().version());
        }
        try {
            if (runningDynamic) {
                peers.nginxLoading();
            }
            routes.nginxLoading();
            nginx.start();
            if (probe.awaitVersion(running.get(), Duration.ofSeconds(10), () -> !nginx.isAlive()) && pushPeers()) {
                routes.nginxLoaded(runningProfiles);
                restartFailing = false;
                LOG.info("agent group={} id={} nginx restarted, serving version {}", settings.group(), settings.agentId(),
                        running.get().version());
                if (status.state() == AgentState.FAILED && lastFailed.isEmpty()) {
                    report(AgentState.READY, null);
                }
                return;
            }
            report(AgentState.FAILED, exit + "; restart did not serve version " + running.get().version()
                    + nginx.lastSeriousLine().map(line -> ": " + line).orElse(""));
        } catch (IOException e) {
            report(AgentState.FAILED, exit + "; cannot restart: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        restartFailing = true;
        nginx.stop();
    }

    private void report(AgentState state, String error) {
        AgentStatus next = statusOf(state, error);
        AgentStatus previous = status;
        status = next;
        if (previous.state() != next.state() || previous.runningVersion() != next.runningVersion()
                || !Objects.equals(previous.error(), next.error()) || !Objects.equals(previous.peerError(), next.peerError())) {
            LOG.info("agent group={} id={} version={} state={} upstreams={}{}{}", settings.group(), settings.agentId(),
                    next.runningVersion(), next.state(), next.upstreams(), error == null ? "" : " error=" + error.replace('\n', ' '),
                    next.peerError() == null ? "" : " peerError=" + next.peerError());
        }
        statusNode.publish(next);
    }

    private AgentStatus statusOf(AgentState state, String error) {
        return new AgentStatus(settings.agentId(), settings.group(), settings.host(), settings.trafficPort(),
                settings.adminPort(), running.map(ServedVersion::version).orElse(0L),
                running.map(ServedVersion::sha256).orElse(null), state, error,
                lastFailed.map(ServedVersion::version).orElse(0L), applies,
                upstreamsMode(), peers.pushes(), peers.error(),
                System.currentTimeMillis(), peers.pushedZxid(), settings.zone(), routes.routesVersion(), routes.failedVersion(),
                routes.error(), nginx.generationsEnded());
    }

    /** Stops following ZooKeeper and stops Nginx; the ephemeral node goes with the session. */
    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        target.close();
        peers.close();
        routes.close();
        upstreamsReport.close();
        hibernation.close();
        usage.close();
        nginx.stop();
        client.close();
        LOG.info("agent group={} id={} stopped", settings.group(), settings.agentId());
    }
}
