package io.lbmanager.rollout;

import io.lbmanager.zk.TreeWatch;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Per group, watches of what a rollout is judged on: its agents' status nodes and its rollout
 * node (which another manager's rollback may write). A change is acted on when it arrives.
 */
final class GroupWatches implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupWatches.class);

    private final AgentDirectory agents;
    private final RolloutStore rollouts;
    private final Consumer<String> onChange;
    private final Map<String, List<AutoCloseable>> watches = new ConcurrentHashMap<>();

    /** @param onChange called with the group's name, on a ZooKeeper event thread */
    GroupWatches(AgentDirectory agents, RolloutStore rollouts, Consumer<String> onChange) {
        this.agents = agents;
        this.rollouts = rollouts;
        this.onChange = onChange;
    }

    /** Starts watching the group, unless that is done already. */
    void watch(String group) {
        watches.computeIfAbsent(group, g -> {
            TreeWatch.Events changed = new TreeWatch.Events() {
                @Override
                public void nodeChanged(ChildData node) {
                    onChange.accept(g);
                }

                @Override
                public void nodeDeleted(ChildData node) {
                    onChange.accept(g);
                }
            };
            return List.of(agents.watch(g, changed), rollouts.watchRollout(g, changed));
        });
    }

    @Override
    public void close() {
        watches.values().stream().flatMap(List::stream).forEach(watch -> {
            try {
                watch.close();
            } catch (Exception e) {
                LOG.debug("closing a group watch failed: {}", e.toString());
            }
        });
        watches.clear();
    }
}
