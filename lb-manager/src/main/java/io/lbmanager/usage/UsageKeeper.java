package io.lbmanager.usage;

import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The manager's chores for usage: every {@link #EVERY}, the metrics follow the agents' nodes, and the
 * leader creates each group's usage node and deletes records past the retention.
 */
public final class UsageKeeper implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(UsageKeeper.class);
    static final Duration EVERY = Duration.ofSeconds(30);

    private final UsageRecords records;
    private final UsageMetrics metrics;
    private final Supplier<? extends Collection<String>> groups;
    private final BooleanSupplier isLeader;
    private final Duration retention;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "usage-keeper"));
    private String lastProblem;

    public UsageKeeper(UsageRecords records, UsageMetrics metrics, Supplier<? extends Collection<String>> groups,
                       BooleanSupplier isLeader, Duration retention) {
        this.records = records;
        this.metrics = metrics;
        this.groups = groups;
        this.isLeader = isLeader;
        this.retention = retention;
    }

    @Override
    public void start() {
        timer.scheduleWithFixedDelay(this::keep, 1, EVERY.toSeconds(), TimeUnit.SECONDS);
    }

    void keep() {
        long now = System.currentTimeMillis();
        try {
            if (isLeader.getAsBoolean()) {
                int deleted = records.prune(groups.get(), now - retention.toMillis());
                if (deleted > 0) {
                    LOG.info("usage pruned {} hourly records older than {} days", deleted, retention.toDays());
                }
            }
            metrics.poll(now);
            lastProblem = null;
        } catch (Exception e) {
            String problem = "usage keeper: " + e.getMessage();
            if (!problem.equals(lastProblem)) {
                LOG.warn(problem);
                lastProblem = problem;
            }
        }
    }

    @Override
    public void stop() {
        timer.shutdownNow();
    }
}
