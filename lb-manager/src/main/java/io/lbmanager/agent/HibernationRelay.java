package io.lbmanager.agent;

import io.lbmanager.contract.HibernatedService;
import io.lbmanager.peers.NginxPeersEndpoint;
import io.lbmanager.render.AgentInclude;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import io.lbmanager.zk.TreeWatch;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * On the agent: tells the local Nginx which services are hibernated (so it holds their requests
 * instead of answering 503 at once) and collects the services Nginx asks to wake, for the manager
 * to read on {@code GET /wakes}. The hibernated services come from a watch on ZooKeeper; one exchange
 * with Nginx (its unix socket) per {@link #EVERY} sends them and gets back those with a wake request.
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
    /** The hibernated and waking services as ZooKeeper has them, by id. */
    private final Map<String, HibernatedService> hibernated = new ConcurrentHashMap<>();
    private TreeWatch watch;
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
        watch = TreeWatch.subtree(client, layout.hibernation(), new Watch()).start();
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

    private Map<String, HibernatedService> hibernated() {
        return new TreeMap<>(hibernated);
    }

    /** Keeps {@link #hibernated} as ZooKeeper has it, from the watch's events. */
    private final class Watch implements TreeWatch.Events {
        @Override
        public void nodeChanged(ChildData node) {
            String id = serviceOf(node.getPath());
            if (id == null || node.getData() == null) {
                return;
            }
            try {
                HibernatedService service = Json.read(node.getPath(), node.getData(), HibernatedService.class);
                if (id.equals(service.service())) {
                    hibernated.put(id, service);
                }
            } catch (CorruptNodeException e) {
                hibernated.remove(id);
                noteError(e.getMessage());
            }
        }

        @Override
        public void nodeDeleted(ChildData node) {
            String id = serviceOf(node.getPath());
            if (id != null) {
                hibernated.remove(id);
            }
        }

        private String serviceOf(String path) {
            String prefix = layout.hibernation() + "/";
            return path.startsWith(prefix) && path.indexOf('/', prefix.length()) < 0 ? path.substring(prefix.length()) : null;
        }
    }

    private void noteError(String error) {
        if (!error.equals(lastError)) {
            LOG.warn("hibernation agent={} relay failing: {}", agentName, error);
        }
        lastError = error;
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
        worker.shutdownNow();
        nginx.close();
    }
}
