package io.lbmanager.upgrade;

import io.lbmanager.errors.ConflictException;
import io.lbmanager.errors.StoreUnavailableException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * One manager at a time changes a group's fleet (starts, steps, pauses or rolls back an upgrade):
 * it holds an ephemeral ZooKeeper node while it reads the upgrade, calls the backend and writes the
 * result. A second manager waits for it (boundedly) and then reads what the first one wrote, so two
 * managers starting the same upgrade at once end with one upgrade and a conflict (409) for the other,
 * never with two generations; a manager that dies lets go with its session.
 */
final class FleetWriteClaim {

    private static final long RETRY_MILLIS = 50;

    private final CuratorFramework client;
    private final String holder;

    FleetWriteClaim(CuratorFramework client, String holder) {
        this.client = client;
        this.holder = holder;
    }

    /** Waits up to {@code wait} for another manager's change to end (its result is then what {@code action} reads). */
    <T> T holding(String claimPath, String group, Duration wait, Supplier<T> action) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!claimed(claimPath)) {
            if (System.nanoTime() >= deadline) {
                throw new ConflictException(null, "group " + group + "'s fleet is being changed by another manager ("
                        + holderOf(claimPath) + ") right now; read its status and retry");
            }
            try {
                Thread.sleep(RETRY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreUnavailableException("claiming " + claimPath, e);
            }
        }
        try {
            return action.get();
        } finally {
            try {
                client.delete().guaranteed().forPath(claimPath);
            } catch (Exception e) {
                // guaranteed(): Curator keeps deleting in the background; the session's end removes it too
            }
        }
    }

    private boolean claimed(String claimPath) {
        try {
            client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .forPath(claimPath, holder.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (KeeperException.NodeExistsException e) {
            return false;
        } catch (Exception e) {
            throw new StoreUnavailableException("claiming " + claimPath, e);
        }
    }

    private String holderOf(String claimPath) {
        try {
            return new String(client.getData().forPath(claimPath), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "gone since";
        }
    }
}
