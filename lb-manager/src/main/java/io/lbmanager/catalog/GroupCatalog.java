package io.lbmanager.catalog;

import io.lbmanager.errors.ConflictException;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.zk.ZkNodes;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * LB groups and the base-path lock nodes under them. A group's lock parent
 * ({@link ZkLayout#basePaths}) exists exactly as long as the group: a service claims a path by
 * creating a child there, so a group with services cannot be deleted (ZooKeeper refuses to delete
 * a node with children) and a service cannot claim a path in a group that was just deleted.
 */
final class GroupCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCatalog.class);
    private static final byte[] EMPTY = new byte[0];

    private final ZkNodes zk;
    private final ZkLayout layout;

    GroupCatalog(ZkNodes zk, ZkLayout layout) {
        this.zk = zk;
        this.layout = layout;
    }

    boolean create(String name) {
        zk.ensure(layout.catalogGroups());
        zk.ensure(basePathsRoot());
        for (int attempt = 1; attempt <= CatalogStore.MAX_ATTEMPTS; attempt++) {
            boolean markerExists = zk.exists(layout.catalogGroup(name));
            boolean locksExist = zk.exists(layout.basePaths(name));
            if (markerExists && locksExist) {
                return false;
            }
            List<CuratorOp> ops = new ArrayList<>();
            if (!markerExists) {
                ops.add(zk.createOp(layout.catalogGroup(name), EMPTY));
            }
            if (!locksExist) {
                ops.add(zk.createOp(layout.basePaths(name), EMPTY));
            }
            if (zk.commit(ops)) {
                if (!markerExists) {
                    LOG.info("catalog group={} created", name);
                }
                return !markerExists;
            }
        }
        throw new ConflictException(null, "group " + name + " is being changed concurrently; retry the request");
    }

    boolean exists(String name) {
        return zk.exists(layout.catalogGroup(name));
    }

    SortedSet<String> names() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(zk.children(layout.catalogGroups())));
    }

    /** Ids of the services holding a base path in the group, sorted. */
    List<String> serviceIds(String group) {
        SortedSet<String> ids = new TreeSet<>();
        for (String lock : zk.children(layout.basePaths(group))) {
            zk.read(layout.basePaths(group) + "/" + lock).ifPresent(node -> ids.add(node.text()));
        }
        return List.copyOf(ids);
    }

    boolean delete(String name) {
        for (int attempt = 1; attempt <= CatalogStore.MAX_ATTEMPTS; attempt++) {
            if (!exists(name)) {
                return false;
            }
            zk.ensure(layout.basePaths(name));
            List<String> services = serviceIds(name);
            if (!services.isEmpty()) {
                throw new ConflictException("name", "group " + name + " still has services: " + String.join(", ", services));
            }
            List<String> agents = zk.children(layout.groupAgents(name));
            if (!agents.isEmpty()) {
                throw new ConflictException("name", "group " + name + " still has " + agents.size() + " live agents: "
                        + String.join(", ", new TreeSet<>(agents)));
            }
            List<CuratorOp> ops = new ArrayList<>();
            if (zk.exists(layout.group(name))) {
                for (String path : subtreeDeepestFirst(layout.group(name))) {
                    ops.add(zk.deleteOp(path, -1));
                }
            }
            ops.add(zk.deleteOp(layout.catalogGroup(name), -1));
            ops.add(zk.deleteOp(layout.basePaths(name), -1));
            if (zk.commit(ops)) {
                LOG.info("catalog group={} deleted", name);
                return true;
            }
        }
        throw new ConflictException(null, "group " + name + " is being changed concurrently; retry the request");
    }

    /** Locks whose node says {@code serviceId} owns them, found by scanning every group (used when a service node is unreadable). */
    Set<CatalogStore.Lock> locksOwnedBy(String serviceId) {
        Set<CatalogStore.Lock> locks = new HashSet<>();
        for (String group : zk.children(basePathsRoot())) {
            for (String lock : zk.children(layout.basePaths(group))) {
                zk.read(layout.basePaths(group) + "/" + lock)
                        .filter(node -> node.text().equals(serviceId))
                        .ifPresent(node -> locks.add(new CatalogStore.Lock(group, decodeBasePath(lock))));
            }
        }
        return locks;
    }

    private List<String> subtreeDeepestFirst(String path) {
        List<String> paths = new ArrayList<>();
        for (String child : zk.children(path)) {
            paths.addAll(subtreeDeepestFirst(path + "/" + child));
        }
        paths.add(path);
        return paths;
    }

    private String basePathsRoot() {
        String anyGroup = layout.basePaths("x");
        return anyGroup.substring(0, anyGroup.lastIndexOf('/'));
    }

    private static String decodeBasePath(String lockName) {
        return new String(Base64.getUrlDecoder().decode(lockName), StandardCharsets.UTF_8);
    }
}
