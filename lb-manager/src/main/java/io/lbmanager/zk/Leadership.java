package io.lbmanager.zk;

import io.dropwizard.lifecycle.Managed;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Which manager renders and drives rollouts: one leader per ZooKeeper root (Curator leader latch).
 * Every manager accepts API writes, since each is a ZooKeeper transaction, and serves reads.
 */
public final class Leadership implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

    /** Told, on Curator's event thread, when this manager starts or stops leading. */
    public interface Listener {
        void leadershipGained();

        default void leadershipLost() {
        }
    }

    private final LeaderLatch latch;
    private final String id;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    public Leadership(CuratorFramework client, String latchPath, String id) {
        this.id = id;
        this.latch = new LeaderLatch(client, latchPath, id);
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                LOG.info("leadership manager={} state=leader", id);
                listeners.forEach(Listener::leadershipGained);
            }

            @Override
            public void notLeader() {
                LOG.info("leadership manager={} state=follower", id);
                listeners.forEach(Listener::leadershipLost);
            }
        });
    }

    /** Registers a listener; register every one before {@link #start}. */
    public Leadership tell(Listener listener) {
        listeners.add(listener);
        return this;
    }

    @Override
    public void start() throws Exception {
        latch.start();
    }

    @Override
    public void stop() throws Exception {
        latch.close();
    }

    public boolean isLeader() {
        return latch.hasLeadership();
    }

    public String id() {
        return id;
    }

    /** The current leader's id, when one is known. */
    public Optional<String> leaderId() {
        try {
            Participant leader = latch.getLeader();
            return leader.isLeader() ? Optional.of(leader.getId()) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
