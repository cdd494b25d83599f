package io.lbmanager.peers;

import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.TreeWatch;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * On the agent: follows the group's peer buckets ({@link PeerBucket}) and pushes every changed
 * peer list into the local Nginx's {@code lbm_peers} dict, in one request per batch, while Nginx runs a config with
 * the Lua balancer. A push that fails is retried; Nginx keeps the lists it had meanwhile. After
 * every start or reload the agent calls {@link #nginxLoaded}, which pushes every list again
 * (the dict is empty after a restart, and a new size recreates it). It also follows the layout
 * before buckets ({@code groups/{group}/peers/{service}}) so that an agent upgraded before the
 * managers keeps the lists an older leader writes; a service's bucket wins over that.
 */
public final class PeerSync implements AutoCloseable {

    private record Versioned(String value, long version) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(PeerSync.class);
    private static final Duration PUSH_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration INITIAL_READ_WAIT = Duration.ofSeconds(5);
    private static final long RETRY_MILLIS = 250;

    private final CuratorFramework client;
    private final String bucketsPath;
    private final String unbucketedPath;
    private final String label;
    private final NginxPeersEndpoint endpoint;
    private final Path nginxSocket;
    /** Service id to its dict value; "" once its node is gone (pushed as a removal, then forgotten). */
    private final ConcurrentMap<String, String> desired = new ConcurrentHashMap<>();
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    /** Service id to the modification zxid of the node its desired list was read from. */
    private final ConcurrentMap<String, Long> desiredVersions = new ConcurrentHashMap<>();
    /** Service id to the version of its list that Nginx accepted last. */
    private final ConcurrentMap<String, Long> confirmedVersions = new ConcurrentHashMap<>();
    /** Counted down by the first full read of each layout's watch (buckets, and one node per service before them). */
    private final CountDownLatch initialRead = new CountDownLatch(2);
    private final Set<String> seeded = ConcurrentHashMap.newKeySet();
    private volatile NewestOnDisk<Map<String, String>> listFile;
    private volatile boolean knownPushed;
    private final ScheduledExecutorService pusher;
    private final AtomicBoolean pushQueued = new AtomicBoolean();
    private final AtomicLong pushes = new AtomicLong();
    /** Highest ZooKeeper transaction id of a peer node change seen, and of one known to be in Nginx. */
    private final AtomicLong seenZxid = new AtomicLong();
    private volatile long pushedZxid;
    private volatile boolean nginxTakesPeers;
    private volatile boolean listsLoaded;
    private volatile String error;
    private TreeWatch buckets;
    private TreeWatch unbucketed;
    /** Guards the two maps below and what the node events derive from them. */
    private final Object nodesLock = new Object();
    /** Bucket number to the dict values of the services it holds, as last read. */
    private final Map<Integer, Map<String, String>> bucketValues = new HashMap<>();
    /** Lists of the layout before buckets, by service; used for services in no bucket (an older manager leads). */
    private final Map<String, Versioned> unbucketedValues = new HashMap<>();
    private volatile long startNanos;

    public PeerSync(CuratorFramework client, ZkLayout layout, String group, Path nginxSocket, String label) {
        this.client = client;
        this.bucketsPath = layout.groupPeerBuckets(group);
        this.unbucketedPath = layout.groupPeers(group);
        this.label = label;
        this.nginxSocket = nginxSocket;
        this.endpoint = new NginxPeersEndpoint(nginxSocket, PUSH_TIMEOUT);
        this.pusher = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "peers-" + label));
    }

    /**
     * Keeps the lists in this file too after every push, for a restart without ZooKeeper ({@link #seed}):
     * written off the push thread, so the file may hold lists read since that push.
     */
    public PeerSync keepingListsIn(PeerListFile file) {
        this.listFile = new NewestOnDisk<>("peers-file-" + label, label, NewestOnDisk.AGENT_GAP, file::write, lists -> "the peer lists");
        return this;
    }

    /**
     * Lists from disk, for an Nginx started while ZooKeeper is down; ZooKeeper's first read replaces
     * them (and drops the services it no longer has).
     */
    public synchronized void seed(Map<String, String> lists) {
        if (allRead()) {
            return;
        }
        lists.forEach((service, list) -> {
            if (desired.putIfAbsent(service, list) == null) {
                seeded.add(service);
                dirty.add(service);
            }
        });
    }

    public void start() {
        startNanos = System.nanoTime();
        buckets = watch(bucketsPath, this::onBucket, this::onBucketDeleted);
        unbucketed = watch(unbucketedPath, this::onUnbucketed, this::onUnbucketedDeleted);
    }

    private TreeWatch watch(String path, Consumer<ChildData> changed, Consumer<ChildData> deleted) {
        return TreeWatch.subtreeWithoutData(client, path, new TreeWatch.Events() {
            @Override
            public void nodeChanged(ChildData node) {
                changed.accept(node);
            }

            @Override
            public void nodeDeleted(ChildData node) {
                deleted.accept(node);
            }

            @Override
            public void initialized() {
                onInitialRead();
            }
        }).start();
    }

    /**
     * Nginx is about to start, or to load the Lua balancer into a config that had none: its
     * {@code lbm_peers} dict is empty until the next {@link #nginxLoaded}, so the agent is not
     * ready for traffic meanwhile. (A reload between two balancing configs keeps the dict.)
     */
    public synchronized void nginxLoading() {
        listsLoaded = false;
        knownPushed = false;
        dirty.addAll(desired.keySet());
    }

    /**
     * Nginx now runs a config with ({@code dynamic}) or without the Lua balancer. With it, waits
     * for the first read of the peer nodes (bounded) and pushes every list before returning.
     */
    public void nginxLoaded(boolean dynamic) throws InterruptedException {
        nginxLoaded(dynamic, INITIAL_READ_WAIT);
    }

    /** As {@link #nginxLoaded(boolean)}, pushing the lists known now (seeded from disk) without waiting for ZooKeeper. */
    public void nginxLoadedFromDisk(boolean dynamic) throws InterruptedException {
        nginxLoaded(dynamic, Duration.ZERO);
    }

    private void nginxLoaded(boolean dynamic, Duration waitForRead) throws InterruptedException {
        nginxTakesPeers = dynamic;
        if (!dynamic) {
            listsLoaded = true;
            knownPushed = true;
            return;
        }
        if (!initialRead.await(waitForRead.toMillis(), TimeUnit.MILLISECONDS) && !waitForRead.isZero()) {
            LOG.warn("agent {} peer lists not read from ZooKeeper within {} ms; pushing what is known, not ready until all are read",
                    label, INITIAL_READ_WAIT.toMillis());
        }
        dirty.addAll(desired.keySet());
        pushDirty();
    }

    public boolean nginxTakesPeers() {
        return nginxTakesPeers;
    }

    /** False from a (re)load of a config with the Lua balancer until every known list reached Nginx: not ready for traffic. */
    public boolean listsLoaded() {
        return listsLoaded;
    }

    /** Every list this agent knows (from ZooKeeper or from disk) reached Nginx since its last (re)load. */
    public boolean knownListsPushed() {
        return knownPushed;
    }

    /** Successful pushes (each one request carrying one or more lists) since start. */
    public long pushes() {
        return pushes.get();
    }

    /** Per service, the version (node modification zxid) of the peer list Nginx accepted last. */
    public Map<String, Long> confirmedVersions() {
        return Map.copyOf(confirmedVersions);
    }

    /**
     * Every peer-list node change up to this ZooKeeper transaction id has reached Nginx (0 until the
     * first push): what a manager compares with a peer node's {@code mzxid} to know a list is served.
     */
    public long pushedZxid() {
        return pushedZxid;
    }

    /** Why the last push or node read failed; null once a push succeeds. */
    public String error() {
        return error;
    }

    private void onBucket(ChildData node) {
        String name = ZkLayout.childName(bucketsPath, node.getPath());
        if (name == null) {
            return;
        }
        Map<String, PeerList> lists;
        try {
            lists = PeerBucket.parse(node.getPath(), node.getData());
        } catch (CorruptNodeException e) {
            error = e.getMessage();
            LOG.warn("agent {} {}; Nginx keeps the previous lists of that bucket", label, e.getMessage());
            return;
        }
        long version = versionOf(node);
        synchronized (nodesLock) {
            Map<String, String> values = new HashMap<>();
            lists.forEach((service, list) -> values.put(service, list.dictValue()));
            Map<String, String> before = bucketValues.put(PeerBucket.parseName(name), values);
            values.forEach((service, value) -> want(service, value, version));
            if (before != null) {
                before.keySet().stream().filter(service -> !values.containsKey(service)).forEach(this::fallBackToUnbucketed);
            }
        }
        seen(node);
    }

    private void onBucketDeleted(ChildData node) {
        String name = ZkLayout.childName(bucketsPath, node.getPath());
        if (name != null) {
            synchronized (nodesLock) {
                Map<String, String> before = bucketValues.remove(PeerBucket.parseName(name));
                if (before != null) {
                    before.keySet().forEach(this::fallBackToUnbucketed);
                }
            }
            queuePush();
        }
    }

    private void onUnbucketed(ChildData node) {
        String service = ZkLayout.childName(unbucketedPath, node.getPath());
        if (service == null) {
            return;
        }
        try {
            String value = PeerList.parse(node.getPath(), node.getData()).dictValue();
            long version = versionOf(node);
            synchronized (nodesLock) {
                unbucketedValues.put(service, new Versioned(value, version));
                if (!inBucket(service)) {
                    want(service, value, version);
                }
            }
            seen(node);
        } catch (CorruptNodeException e) {
            error = e.getMessage();
            LOG.warn("agent {} {}; Nginx keeps the previous list of {}", label, e.getMessage(), service);
        }
    }

    private void onUnbucketedDeleted(ChildData node) {
        String service = ZkLayout.childName(unbucketedPath, node.getPath());
        if (service != null) {
            synchronized (nodesLock) {
                unbucketedValues.remove(service);
                if (!inBucket(service)) {
                    fallBackToUnbucketed(service);
                }
            }
            queuePush();
        }
    }

    /** Nginx should have {@code value} for the service, read from a node at {@code version}. */
    private void want(String service, String value, long version) {
        desired.put(service, value);
        desiredVersions.put(service, version);
        seeded.remove(service);
        dirty.add(service);
    }

    /** The service is in no bucket (any more): its list of the layout before buckets, if any, else none. */
    private void fallBackToUnbucketed(String service) {
        Versioned unbucketed = unbucketedValues.get(service);
        if (unbucketed != null) {
            want(service, unbucketed.value(), unbucketed.version());
        } else {
            desired.put(service, "");
            desiredVersions.remove(service);
            dirty.add(service);
        }
    }

    private boolean inBucket(String service) {
        Map<String, String> bucket = bucketValues.get(PeerBucket.of(service));
        return bucket != null && bucket.containsKey(service);
    }

    private static long versionOf(ChildData node) {
        return node.getStat() == null ? 0L : node.getStat().getMzxid();
    }

    /** After {@link #want}: a push that counts this zxid as seen finds the services it changed dirty. */
    private void seen(ChildData node) {
        if (node.getStat() != null) {
            seenZxid.accumulateAndGet(node.getStat().getMzxid(), Math::max);
        }
        queuePush();
    }

    /** Synchronized with {@link #pushDirty}: marking every list dirty in the middle of a push would leave it not ready. */
    private synchronized void onInitialRead() {
        initialRead.countDown();
        if (!allRead()) {
            return; // the other layout's watch is not done yet
        }
        LOG.info("agent {} read the peer lists of {} services from ZooKeeper in {} ms", label, desired.size() - seeded.size(),
                (System.nanoTime() - startNanos) / 1_000_000);
        for (String gone : seeded) {
            desired.put(gone, "");
        }
        seeded.clear();
        dirty.addAll(desired.keySet());
        queuePush();
    }

    private void queuePush() {
        if (nginxTakesPeers && pushQueued.compareAndSet(false, true)) {
            pusher.execute(() -> {
                pushQueued.set(false);
                pushDirty();
            });
        }
    }

    private synchronized void pushDirty() {
        if (!nginxTakesPeers) {
            return;
        }
        if (dirty.isEmpty()) {
            listsLoaded = allRead();
            knownPushed = true;
            return;
        }
        long covered = seenZxid.get();
        List<String> batch = new ArrayList<>(dirty);
        dirty.removeAll(batch);
        Map<String, Long> batchVersions = new HashMap<>();
        batch.forEach(service -> batchVersions.put(service, desiredVersions.get(service))); // null: the node is gone
        String lines = batch.stream()
                .map(service -> (service + " " + desired.getOrDefault(service, "")).strip())
                .collect(Collectors.joining("\n", "", "\n"));
        String failure;
        try {
            NginxPeersEndpoint.Answer answer = endpoint.post(lines);
            if (answer.ok()) {
                pushes.incrementAndGet();
                error = null;
                batchVersions.forEach((service, version) -> {
                    if (version == null) {
                        confirmedVersions.remove(service);
                    } else {
                        confirmedVersions.put(service, version);
                    }
                });
                batch.forEach(service -> desired.remove(service, ""));
                if (dirty.isEmpty()) {
                    listsLoaded = allRead();
                    pushedZxid = Math.max(pushedZxid, covered);
                    knownPushed = true;
                }
                keepOnDisk();
                return;
            }
            failure = "nginx answered " + answer.status() + " to the peer lists: " + answer.body();
        } catch (IOException e) {
            failure = "cannot push peer lists to nginx at " + nginxSocket + ": " + e.getMessage();
        }
        dirty.addAll(batch);
        if (!failure.equals(error)) {
            LOG.warn("agent {} {}; retrying every {} ms", label, failure, RETRY_MILLIS);
        }
        error = failure;
        pusher.schedule(this::queuePush, RETRY_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void keepOnDisk() {
        NewestOnDisk<Map<String, String>> file = listFile;
        if (file != null) {
            file.keep(desired);
        }
    }

    private boolean allRead() {
        return initialRead.getCount() == 0;
    }

    @Override
    public void close() {
        pusher.shutdownNow();
        if (buckets != null) {
            buckets.close();
        }
        if (unbucketed != null) {
            unbucketed.close();
        }
        endpoint.close();
        if (listFile != null) {
            listFile.close();
        }
    }
}
