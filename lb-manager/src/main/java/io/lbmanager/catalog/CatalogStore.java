package io.lbmanager.catalog;

import io.lbmanager.errors.ConflictException;
import io.lbmanager.errors.InvalidInputException;
import io.lbmanager.errors.NotFoundException;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.zk.ZkNodes;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * Services, their static upstreams and LB groups in ZooKeeper. Every change is one multi-op
 * transaction guarded by node versions: a service and its base-path locks change together or not at
 * all, and concurrent writers cannot interleave (the loser re-reads and tries again).
 */
public final class CatalogStore {

    public static final int MAX_STATIC_UPSTREAMS = 256;
    static final int MAX_ATTEMPTS = 8;
    private static final Logger LOG = LoggerFactory.getLogger(CatalogStore.class);

    private final ZkNodes zk;
    private final ZkLayout layout;
    private final LongSupplier clock;
    private final GroupCatalog groups;
    private final CatalogWrites writes;

    public CatalogStore(CuratorFramework curator, ZkLayout layout) {
        this(curator, layout, System::currentTimeMillis);
    }

    public CatalogStore(CuratorFramework curator, ZkLayout layout, LongSupplier clock) {
        this(curator, layout, clock, new CatalogWrites());
    }

    /** @param writes told of every service this store writes */
    public CatalogStore(CuratorFramework curator, ZkLayout layout, LongSupplier clock, CatalogWrites writes) {
        this.zk = new ZkNodes(curator);
        this.layout = layout;
        this.clock = clock;
        this.groups = new GroupCatalog(zk, layout);
        this.writes = writes;
    }

    /** The writes this store made, and the API calls that may make more. */
    public CatalogWrites writes() {
        return writes;
    }

    /** Same as {@link ServiceCodec#parse}: the validated reading of a service node, for every reader of the catalog. */
    public static ServiceRecord parseService(String path, byte[] bytes) {
        return ServiceCodec.parse(path, bytes);
    }

    /** Creates or replaces a service definition, moving its base-path locks in the same transaction; keeps static upstreams. */
    public ServicePut putService(ServiceDefinition definition, String actor) {
        return putService(definition, UnaryOperator.identity(), actor);
    }

    /**
     * Creates or replaces a service definition and changes its static upstreams (the current ones, none
     * for a new service) in the same transaction as its base-path locks: all of it or nothing.
     */
    public ServicePut putService(ServiceDefinition definition, UnaryOperator<List<Upstream>> upstreamChange, String actor) {
        String path = pathOf(definition.id());
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Optional<ZkNodes.Node> current = zk.read(path);
            Optional<ServiceRecord> previous = current.flatMap(node -> parseOrNull(path, node));
            Set<Lock> held = current.isEmpty() ? Set.of()
                    : previous.map(CatalogStore::locksOf).orElseGet(() -> groups.locksOwnedBy(definition.id()));
            Set<Lock> wanted = locksOf(definition);
            List<CuratorOp> ops = new ArrayList<>();
            for (Lock lock : wanted) {
                if (!held.contains(lock)) {
                    claim(definition, lock, ops);
                }
            }
            for (Lock lock : held) {
                if (!wanted.contains(lock)) {
                    release(definition.id(), lock, ops);
                }
            }
            List<Upstream> upstreams = upstreamChange.apply(previous.map(ServiceRecord::staticUpstreams).orElse(List.of()));
            if (upstreams.size() > MAX_STATIC_UPSTREAMS) {
                throw new InvalidInputException("upstreams", "service " + definition.id() + " would have " + upstreams.size()
                        + " static upstreams; the maximum is " + MAX_STATIC_UPSTREAMS);
            }
            ServiceRecord next = new ServiceRecord(definition, upstreams.stream().distinct().sorted().toList(), actor, clock.getAsLong());
            byte[] bytes = ServiceCodec.encode(next);
            if (current.isEmpty()) {
                zk.ensure(layout.serviceBucket(definition.id()));
            }
            ops.add(current.isEmpty()
                    ? zk.createOp(path, bytes)
                    : zk.setDataOp(path, bytes, current.get().version()));
            if (zk.commit(ops)) {
                committed(definition.id(), path, bytes);
                LOG.info("catalog service={} {} basePath={} groups={} by={}", definition.id(),
                        current.isEmpty() ? "created" : "updated", definition.basePath(), definition.groups(), actor);
                return current.isEmpty() ? new ServicePut.Created(next) : new ServicePut.Updated(next);
            }
        }
        throw concurrentChanges(definition.id());
    }

    public Optional<ServiceRecord> service(String id) {
        String path = pathOf(id);
        return zk.read(path).map(node -> ServiceCodec.parse(path, node.data()));
    }

    /** All services in id order; a node that cannot be used is listed under {@code malformed} and logged, never fatal. */
    public ServiceListing services() {
        List<ServiceRecord> services = new ArrayList<>();
        List<ServiceListing.MalformedNode> malformed = new ArrayList<>();
        for (String path : servicePaths()) {
            Optional<ZkNodes.Node> node = zk.read(path);
            if (node.isEmpty()) {
                continue; // deleted since it was listed
            }
            try {
                services.add(ServiceCodec.parse(path, node.get().data()));
            } catch (CorruptNodeException e) {
                LOG.warn("catalog malformed node={} reason={}", e.path(), e.getMessage());
                malformed.add(new ServiceListing.MalformedNode(e.path(), e.getMessage()));
            }
        }
        return new ServiceListing(services, malformed);
    }

    /** Deletes a service and releases its base-path locks in one transaction; false if it did not exist. */
    public boolean deleteService(String id) {
        String path = pathOf(id);
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Optional<ZkNodes.Node> current = zk.read(path);
            if (current.isEmpty()) {
                return false;
            }
            Set<Lock> held = parseOrNull(path, current.get()).map(CatalogStore::locksOf)
                    .orElseGet(() -> groups.locksOwnedBy(id));
            List<CuratorOp> ops = new ArrayList<>();
            for (Lock lock : held) {
                release(id, lock, ops);
            }
            ops.add(zk.deleteOp(path, current.get().version()));
            if (zk.commit(ops)) {
                writes.committed(id, null);
                LOG.info("catalog service={} deleted", id);
                return true;
            }
        }
        throw concurrentChanges(id);
    }

    /** Adds a static upstream; adding one that is already there changes nothing. */
    public ServiceRecord addUpstream(String id, Upstream upstream, String actor) {
        return updateUpstreams(id, actor, upstreams -> {
            if (upstreams.contains(upstream)) {
                return upstreams;
            }
            if (upstreams.size() >= MAX_STATIC_UPSTREAMS) {
                throw new InvalidInputException("host", "service " + id + " already has the maximum of " + MAX_STATIC_UPSTREAMS + " static upstreams");
            }
            List<Upstream> next = new ArrayList<>(upstreams);
            next.add(upstream);
            return next.stream().sorted().toList();
        });
    }

    public ServiceRecord removeUpstream(String id, Upstream upstream, String actor) {
        return updateUpstreams(id, actor, upstreams -> {
            if (!upstreams.contains(upstream)) {
                throw new NotFoundException("upstream", "service " + id + " has no static upstream " + upstream.address());
            }
            return upstreams.stream().filter(u -> !u.equals(upstream)).toList();
        });
    }

    /** The id of the service holding {@code basePath} in {@code group}, if one does. */
    public Optional<String> basePathOwner(String group, String basePath) {
        return zk.read(layout.basePathLock(group, basePath)).map(ZkNodes.Node::text);
    }

    /** Creates a group if missing; true if it was created now. */
    public boolean createGroup(String name) {
        return groups.create(name);
    }

    public SortedSet<String> groups() {
        return groups.names();
    }

    public boolean groupExists(String name) {
        return groups.exists(name);
    }

    /** Every group with the ids of the services holding a base path in it. */
    public List<GroupView> groupViews() {
        return groups.names().stream().map(name -> new GroupView(name, groups.serviceIds(name))).toList();
    }

    /** Deletes an unused group and everything under it; false if it did not exist, 409 while services or agents use it. */
    public boolean deleteGroup(String name) {
        return groups.delete(name);
    }

    private ServiceRecord updateUpstreams(String id, String actor, UnaryOperator<List<Upstream>> change) {
        String path = pathOf(id);
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            ZkNodes.Node current = zk.read(path)
                    .orElseThrow(() -> new NotFoundException("id", "service " + id + " does not exist"));
            ServiceRecord record = ServiceCodec.parse(path, current.data());
            List<Upstream> next = change.apply(record.staticUpstreams());
            if (next.equals(record.staticUpstreams())) {
                return record;
            }
            ServiceRecord updated = new ServiceRecord(record.definition(), next, actor, clock.getAsLong());
            byte[] bytes = ServiceCodec.encode(updated);
            List<CuratorOp> ops = List.of(zk.setDataOp(path, bytes, current.version()));
            if (zk.commit(ops)) {
                committed(id, path, bytes);
                LOG.info("catalog service={} staticUpstreams={} by={}", id,
                        next.stream().map(Upstream::address).toList(), actor);
                return updated;
            }
        }
        throw concurrentChanges(id);
    }

    /** Tells {@link #writes} the record readers of the node will see; one they refuse is not waited for. */
    private void committed(String id, String path, byte[] bytes) {
        try {
            writes.committed(id, ServiceCodec.parse(path, bytes));
        } catch (CorruptNodeException e) {
            LOG.warn("catalog service={} was written as readers refuse it: {}", id, e.getMessage());
        }
    }

    /** Where the service is stored: its bucket, or the flat node it was created at before buckets. */
    private String pathOf(String id) {
        String flat = layout.flatService(id);
        return zk.exists(flat) ? flat : layout.service(id);
    }

    /** Every service node, bucketed and flat, in service id order; one listing per bucket, none of the whole catalog. */
    private Collection<String> servicePaths() {
        TreeMap<String, String> byId = new TreeMap<>();
        for (String child : zk.children(layout.services())) {
            if (!ZkLayout.isServiceBucket(child)) {
                byId.put(child, layout.flatService(child));
                continue;
            }
            String bucket = layout.services() + "/" + child;
            for (String id : zk.children(bucket)) {
                byId.putIfAbsent(id, bucket + "/" + id);
            }
        }
        return byId.values();
    }

    private void claim(ServiceDefinition definition, Lock lock, List<CuratorOp> ops) {
        if (!groups.exists(lock.group())) {
            throw new InvalidInputException("groups[" + definition.groups().indexOf(lock.group()) + "]",
                    "group " + lock.group() + " does not exist");
        }
        String lockPath = layout.basePathLock(lock.group(), lock.basePath());
        Optional<ZkNodes.Node> existing = zk.read(lockPath);
        if (existing.isPresent()) {
            String owner = existing.get().text();
            if (!owner.equals(definition.id())) {
                throw new ConflictException("basePath", "base path " + lock.basePath() + " in group " + lock.group()
                        + " is already owned by service " + owner);
            }
            return; // a lock this service already holds (left by an earlier, corrupt record)
        }
        if (!zk.exists(layout.basePaths(lock.group()))) {
            ops.add(zk.createOp(layout.basePaths(lock.group()), new byte[0]));
        }
        ops.add(zk.createOp(lockPath, definition.id().getBytes(StandardCharsets.UTF_8)));
    }

    private void release(String id, Lock lock, List<CuratorOp> ops) {
        String lockPath = layout.basePathLock(lock.group(), lock.basePath());
        zk.read(lockPath)
                .filter(node -> node.text().equals(id))
                .ifPresent(node -> ops.add(zk.deleteOp(lockPath, node.version())));
    }

    private Optional<ServiceRecord> parseOrNull(String path, ZkNodes.Node node) {
        try {
            return Optional.of(ServiceCodec.parse(path, node.data()));
        } catch (CorruptNodeException e) {
            LOG.warn("catalog malformed node={} reason={} (its locks are found by scanning)", path, e.getMessage());
            return Optional.empty();
        }
    }

    private static Set<Lock> locksOf(ServiceRecord record) {
        return locksOf(record.definition());
    }

    private static Set<Lock> locksOf(ServiceDefinition definition) {
        Set<Lock> locks = new LinkedHashSet<>();
        definition.groups().forEach(group -> locks.add(new Lock(group, definition.basePath())));
        return locks;
    }

    private static ConflictException concurrentChanges(String id) {
        return new ConflictException(null, "service " + id + " is being changed concurrently; retry the request");
    }

    /** The claim of one base path in one group. */
    record Lock(String group, String basePath) {
    }
}
