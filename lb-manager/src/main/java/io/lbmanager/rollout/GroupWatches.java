package io.lbmanager.rollout;

import io.lbmanager.zk.TreeWatch;
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

    /** Starts watching the group, unless that is done already; true when the watch is new. */
    synchronized boolean watch(String group) {
        if (watches.containsKey(group)) {
            return false;
        }
        TreeWatch.Events changed = TreeWatch.Events.onAnyChange(() -> onChange.accept(group));
        watches.put(group, List.of(agents.watch(group, changed), rollouts.watchRollout(group, changed)));
        return true;
    }

    @Override
    public synchronized void close() {
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
