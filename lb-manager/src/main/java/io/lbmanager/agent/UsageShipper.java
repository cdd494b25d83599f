package io.lbmanager.agent;

import io.lbmanager.contract.UsageRecord;
import io.lbmanager.peers.NginxPeersEndpoint;
import io.lbmanager.render.AgentInclude;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Chargeback on the agent: every {@code usageInterval} it reads the local Nginx's usage counters
 * ({@code /_lbm/usage}) and its CPU and memory, books the interval in its {@link UsageLedger} and
 * writes each unshipped record to ZooKeeper as one node (a node that exists already was shipped
 * before a crash: done). Its last reading happens in {@link #close()}, before the agent stops Nginx.
 */
final class UsageShipper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UsageShipper.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final AgentSettings settings;
    private final CuratorFramework client;
    private final String usagePath;
    private final NginxPeersEndpoint endpoint;
    private final Supplier<Optional<Long>> nginxPid;
    private final NginxResources resources = new NginxResources();
    private final ScheduledExecutorService timer;
    private final long startedAt = System.currentTimeMillis();
    private UsageLedger ledger;
    private String lastProblem;

    UsageShipper(AgentSettings settings, CuratorFramework client, ZkLayout layout, Path nginxSocket, Supplier<Optional<Long>> nginxPid) {
        this.settings = settings;
        this.client = client;
        this.usagePath = layout.groupUsage(settings.group());
        this.endpoint = new NginxPeersEndpoint(nginxSocket, TIMEOUT);
        this.nginxPid = nginxPid;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "usage-" + settings.agentId()));
    }

    void start() {
        long every = settings.usageInterval().toMillis();
        timer.scheduleWithFixedDelay(this::readAndShip, every, every, TimeUnit.MILLISECONDS);
    }

    private synchronized void readAndShip() {
        try {
            UsageLedger book = ledger();
            readInto(book);
            ship(book);
        } catch (IOException | RuntimeException e) {
            problem("usage agent=" + settings.agentId() + " cannot book usage: " + e.getMessage());
        }
    }

    private void readInto(UsageLedger book) throws IOException {
        Optional<Long> pid = nginxPid.get();
        if (pid.isEmpty()) {
            resources.reset();
            return;
        }
        NginxPeersEndpoint.Answer answer = endpoint.get(AgentInclude.USAGE_PATH);
        if (!answer.ok()) {
            problem("usage agent=" + settings.agentId() + " nginx answered " + answer.status() + " on " + AgentInclude.USAGE_PATH
                    + " (usage is counted with dynamic upstreams only)");
            return;
        }
        UsageCounters counters = UsageCounters.parse(answer.body());
        book.close(settings.group(), settings.agentId(), counters, resources.sample(pid.get()), System.currentTimeMillis(), startedAt);
    }

    private void ship(UsageLedger book) throws IOException {
        for (UsageRecord record : book.pending()) {
            String path = usagePath + "/" + record.nodeName();
            try {
                client.create().creatingParentsIfNeeded().forPath(path, Json.write(record));
            } catch (KeeperException.NodeExistsException alreadyShipped) {
                // written before the agent stopped, not yet forgotten on disk
            } catch (Exception e) {
                problem("usage agent=" + settings.agentId() + " cannot write " + path + ": " + e.getMessage()
                        + "; " + book.pending().size() + " records wait on disk");
                return;
            }
            book.shipped(record);
        }
        if (lastProblem != null) {
            LOG.info("usage agent={} shipping again", settings.agentId());
            lastProblem = null;
        }
    }

    private UsageLedger ledger() throws IOException {
        if (ledger == null) {
            Path file = settings.runtimeDir().resolve("usage.json");
            try {
                ledger = new UsageLedger(file);
            } catch (IOException | RuntimeException unreadable) {
                Path aside = file.resolveSibling("usage.json.unreadable");
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                LOG.warn("usage agent={} cannot read {} ({}); moved it to {} and starts a new book", settings.agentId(), file,
                        unreadable.getMessage(), aside);
                ledger = new UsageLedger(file);
            }
        }
        return ledger;
    }

    private void problem(String line) {
        if (!line.equals(lastProblem)) {
            LOG.warn(line);
            lastProblem = line;
        }
    }

    /** Reads Nginx a last time and ships what it can, then stops; call it while Nginx and ZooKeeper are still there. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        readAndShip();
        endpoint.close();
    }
}
