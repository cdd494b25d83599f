package io.lbmanager.rollout;

import io.dropwizard.lifecycle.Managed;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Which manager renders and drives rollouts: one leader per ZooKeeper root (Curator leader latch).
 * Every manager accepts API writes, since each is a ZooKeeper transaction, and serves reads.
 */
public final class Leadership implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

    private final LeaderLatch latch;
    private final String id;

    public Leadership(CuratorFramework client, String latchPath, String id, Runnable onGained) {
        this.id = id;
        this.latch = new LeaderLatch(client, latchPath, id);
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                LOG.info("leadership manager={} state=leader", id);
                onGained.run();
            }

            @Override
            public void notLeader() {
                LOG.info("leadership manager={} state=follower", id);
            }
        });
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
