package io.lbmanager.rollout;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** One watch per group on its agents' status nodes: a report is acted on when it arrives, not at the next tick. */
final class AgentReportWatches implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentReportWatches.class);

    private final AgentDirectory agents;
    private final Consumer<String> onReport;
    private final Map<String, AutoCloseable> watches = new ConcurrentHashMap<>();

    /** @param onReport called with the group's name, on a ZooKeeper event thread */
    AgentReportWatches(AgentDirectory agents, Consumer<String> onReport) {
        this.agents = agents;
        this.onReport = onReport;
    }

    /** Starts watching the group's agents, unless that is done already. */
    void watch(String group) {
        watches.computeIfAbsent(group, g -> agents.watch(g, () -> onReport.accept(g)));
    }

    @Override
    public void close() {
        watches.values().forEach(watch -> {
            try {
                watch.close();
            } catch (Exception e) {
                LOG.debug("closing an agent watch failed: {}", e.toString());
            }
        });
        watches.clear();
    }
}
