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
 * ({@code /_lbm/usage}) and its CPU and memory, books the interval into the hour's total in its
 * {@link UsageLedger} and rewrites that hour's node in ZooKeeper (one node write per interval with
 * traffic, none per request). Its last reading happens in {@link #close()}, before the agent stops Nginx.
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
        NginxPeersEndpoint.Answer answer;
        try {
            answer = endpoint.get(AgentInclude.USAGE_PATH);
        } catch (IOException e) {
            problem("usage agent=" + settings.agentId() + " cannot read " + AgentInclude.USAGE_PATH + " from nginx yet: " + e.getMessage());
            return;
        }
        if (!answer.ok()) {
            problem("usage agent=" + settings.agentId() + " nginx answered " + answer.status() + " on " + AgentInclude.USAGE_PATH
                    + " (usage is counted with dynamic upstreams only)");
            return;
        }
        UsageCounters counters = UsageCounters.parse(answer.body());
        book.book(settings.group(), settings.agentId(), counters, resources.sample(pid.get()), System.currentTimeMillis(), startedAt);
    }

    private void ship(UsageLedger book) throws IOException {
        for (UsageLedger.Hour hour : book.unshipped()) {
            String path = usagePath + "/" + hour.own().nodeName();
            try {
                if (hour.adopted() == null) {
                    Optional<UsageRecord> existing = existing(path);
                    if (existing.isPresent() && !book.ledgerId().equals(existing.get().writer())) {
                        hour = book.adopt(hour, existing.get());
                        LOG.info("usage agent={} adopts {} written by ledger {}", settings.agentId(), path, existing.get().writer());
                    }
                }
                write(path, Json.write(hour.total()));
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                problem("usage agent=" + settings.agentId() + " cannot write " + path + ": " + e.getMessage()
                        + "; " + book.unshipped().size() + " hours wait on disk");
                return;
            }
            book.shipped(hour);
        }
        if (lastProblem != null) {
            LOG.info("usage agent={} shipping again", settings.agentId());
            lastProblem = null;
        }
    }

    private Optional<UsageRecord> existing(String path) throws Exception {
        try {
            return Optional.of(Json.read(path, client.getData().forPath(path), UsageRecord.class));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    private void write(String path, byte[] value) throws Exception {
        try {
            client.setData().forPath(path, value);
        } catch (KeeperException.NoNodeException e) {
            client.create().creatingParentsIfNeeded().forPath(path, value);
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
