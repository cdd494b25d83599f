package io.lbmanager.agent;

import io.lbmanager.contract.HibernatedService;
import io.lbmanager.peers.NginxPeersEndpoint;
import io.lbmanager.render.AgentInclude;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * On the agent: tells the local Nginx which services are hibernated (so it holds their requests
 * instead of answering 503 at once) and collects the services Nginx asks to wake, for the manager
 * to read on {@code GET /wakes}. One exchange with Nginx per {@link #EVERY}: it sends the hibernated
 * services and gets back those with a new wake request.
 */
final class HibernationRelay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HibernationRelay.class);
    static final Duration EVERY = Duration.ofMillis(100);

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final NginxPeersEndpoint nginx;
    private final String agentName;
    private final ScheduledExecutorService worker;
    /** Service id -> when Nginx first asked to wake it, while Nginx keeps the request (for the service's wake timeout). */
    private final Map<String, Long> wakeRequests = new TreeMap<>();
    private List<String> holding = List.of();
    private String lastError;
    private boolean nginxHoldsNone = false;

    HibernationRelay(CuratorFramework client, ZkLayout layout, Path nginxSocket, String agentName) {
        this.client = client;
        this.layout = layout;
        this.nginx = new NginxPeersEndpoint(nginxSocket, Duration.ofSeconds(2));
        this.agentName = agentName;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "hibernation-" + agentName);
            thread.setDaemon(true);
            return thread;
        });
    }

    void start() {
        worker.scheduleWithFixedDelay(this::relay, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The hibernated or waking services Nginx asked to wake within their wake timeout. */
    synchronized List<String> wakeRequests() {
        return List.copyOf(wakeRequests.keySet());
    }

    /** The services Nginx holds requests for, as it was last told. */
    synchronized List<String> holding() {
        return holding;
    }

    private void relay() {
        try {
            Map<String, HibernatedService> hibernated = hibernated();
            if (hibernated.isEmpty() && nginxHoldsNone) {
                return;
            }
            StringBuilder lines = new StringBuilder();
            hibernated.values().forEach(service -> lines.append(service.service()).append(' ').append(service.wakeTimeoutSeconds())
                    .append(' ').append(service.maxHeldRequests()).append('\n'));
            NginxPeersEndpoint.Answer answer = nginx.post(AgentInclude.HIBERNATION_PATH, lines.toString());
            if (!answer.ok()) {
                noteError("nginx answered " + answer.status() + " on " + AgentInclude.HIBERNATION_PATH);
                return;
            }
            nginxHoldsNone = hibernated.isEmpty();
            synchronized (this) {
                holding = List.copyOf(hibernated.keySet());
                Map<String, Long> asked = new TreeMap<>();
                for (String line : answer.body().split("\n")) {
                    String service = line.strip();
                    if (hibernated.containsKey(service)) {
                        Long since = wakeRequests.get(service);
                        if (since == null) {
                            LOG.info("hibernation agent={} service={} state=wake-requested", agentName, service);
                        }
                        asked.put(service, since == null ? System.currentTimeMillis() : since);
                    }
                }
                wakeRequests.clear();
                wakeRequests.putAll(asked);
            }
            lastError = null;
        } catch (IOException e) {
            noteError("cannot reach nginx: " + e.getMessage());
        } catch (Exception e) {
            noteError(e.toString());
        }
    }

    private Map<String, HibernatedService> hibernated() throws Exception {
        Map<String, HibernatedService> services = new TreeMap<>();
        List<String> children;
        try {
            children = client.getChildren().forPath(layout.hibernation());
        } catch (KeeperException.NoNodeException none) {
            return services;
        }
        for (String child : new ArrayList<>(children)) {
            String path = layout.hibernatedService(child);
            try {
                HibernatedService service = Json.read(path, client.getData().forPath(path), HibernatedService.class);
                if (child.equals(service.service())) {
                    services.put(child, service);
                }
            } catch (KeeperException.NoNodeException gone) {
                // woke meanwhile
            } catch (CorruptNodeException e) {
                noteError(e.getMessage());
            }
        }
        return services;
    }

    private void noteError(String error) {
        if (!error.equals(lastError)) {
            LOG.warn("hibernation agent={} relay failing: {}", agentName, error);
        }
        lastError = error;
    }

    @Override
    public void close() {
        worker.shutdownNow();
        nginx.close();
    }
}
