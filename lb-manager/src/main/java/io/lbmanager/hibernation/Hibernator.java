package io.lbmanager.hibernation;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.AgentUpstreams;
import io.lbmanager.contract.HibernatedService;
import io.lbmanager.peers.AgentReports;
import io.lbmanager.rollout.AgentDirectory;
import io.lbmanager.snapshot.CatalogSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * On the leading manager, once per period: hibernates services with a {@code hibernation} option
 * that no Nginx of their groups saw a request for during their idle time (scale to zero through
 * their scheduler; the route stays), wakes a hibernated service once an agent reports that its
 * Nginx holds a request for it (one scale-up per wake, however many requests and Nginx ask), and
 * ends the wake-up when every Nginx that answers routes to an instance of it.
 */
public final class Hibernator implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(Hibernator.class);

    private final Supplier<CatalogSnapshot> snapshots;
    private final AgentDirectory agents;
    private final AgentReports reports;
    private final AgentWakes wakes = new AgentWakes();
    private final HibernationNodes nodes;
    private final Map<String, Scheduler> schedulers;
    private final BooleanSupplier isLeader;
    private final LongSupplier clock;
    private final Duration every;
    private final IdleClock idle = new IdleClock();
    private final HibernationCandidates candidates = new HibernationCandidates();
    private final Map<String, Long> idleMillisSeen = new ConcurrentHashMap<>();
    private final Map<String, Long> wakeUps = new ConcurrentHashMap<>();
    private ScheduledExecutorService worker;

    /** @param schedulers by the name a service's option uses ({@code docker}, {@code singularity}) */
    public Hibernator(Supplier<CatalogSnapshot> snapshots, AgentDirectory agents, AgentReports reports, HibernationNodes nodes,
                      Map<String, Scheduler> schedulers, BooleanSupplier isLeader, LongSupplier clock, Duration every) {
        this.snapshots = snapshots;
        this.agents = agents;
        this.reports = reports;
        this.nodes = nodes;
        this.schedulers = Map.copyOf(schedulers);
        this.isLeader = isLeader;
        this.clock = clock;
        this.every = every;
    }

    @Override
    public void start() {
        worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "hibernator");
            thread.setDaemon(true);
            return thread;
        });
        worker.scheduleWithFixedDelay(this::tickSafely, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() throws InterruptedException {
        worker.shutdownNow();
        worker.awaitTermination(15, TimeUnit.SECONDS);
    }

    /** The service's hibernation now, for the status API. */
    public HibernationStatus status(ServiceRecord service) throws Exception {
        Optional<HibernationSetting> setting = HibernationSetting.of(service.definition().options());
        Optional<HibernatedService> node = nodes.get(service.definition().id());
        String id = service.definition().id();
        int idleSeconds = setting.map(HibernationSetting::idleSeconds).orElse(0);
        long wakeUpsOrdered = wakeUps.getOrDefault(id, 0L);
        if (node.isPresent()) {
            return new HibernationStatus(node.get().state(), idleSeconds, node.get().sinceMillis(), 0, wakeUpsOrdered);
        }
        if (setting.isEmpty()) {
            return new HibernationStatus(HibernationStatus.OFF, 0, 0, 0, wakeUpsOrdered);
        }
        return new HibernationStatus(HibernationStatus.AWAKE, idleSeconds, 0, idleMillisSeen.getOrDefault(id, 0L), wakeUpsOrdered);
    }

    private void tickSafely() {
        try {
            if (isLeader.getAsBoolean()) {
                tick();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("hibernation check failed: {}", e.toString());
        }
    }

    void tick() throws Exception {
        CatalogSnapshot snapshot = snapshots.get();
        Map<String, HibernatedService> states = new HashMap<>(nodes.all());
        Map<String, List<AgentStatus>> agentsByGroup = new HashMap<>();
        long now = clock.getAsLong();
        Set<String> considered = new TreeSet<>(candidates.in(snapshot, id -> {
            idle.forget(id);
            idleMillisSeen.remove(id);
        }));
        considered.addAll(states.keySet());
        for (String id : considered) {
            ServiceRecord service = snapshot.services().get(id);
            if (service == null) {
                continue; // deleted: its state is forgotten below
            }
            Optional<HibernationSetting> setting = HibernationSetting.of(service.definition().options());
            HibernatedService state = states.remove(id);
            if (state == null && setting.isEmpty()) {
                continue; // neither a setting nor a state: nothing to check
            }
            List<AgentStatus> nginx = agentsOf(service, agentsByGroup);
            if (state == null) {
                checkIdle(id, setting.get(), nginx, now);
            } else if (HibernatedService.HIBERNATED.equals(state.state())) {
                if (setting.isEmpty() || wakes.requestedBy(nginx).contains(id)) {
                    wake(state, setting.isEmpty() ? "its hibernation option was removed" : "an Nginx holds a request for it", now);
                }
            } else {
                checkWaking(state, nginx, now);
            }
        }
        for (HibernatedService gone : states.values()) {
            nodes.delete(gone.service());
            LOG.info("hibernation service={} state=forgotten reason=service deleted", gone.service());
        }
    }

    private List<AgentStatus> agentsOf(ServiceRecord service, Map<String, List<AgentStatus>> agentsByGroup) throws Exception {
        List<AgentStatus> all = new ArrayList<>();
        for (String group : service.definition().groups()) {
            List<AgentStatus> ofGroup = agentsByGroup.get(group);
            if (ofGroup == null) {
                ofGroup = agents.agents(group);
                agentsByGroup.put(group, ofGroup);
            }
            all.addAll(ofGroup);
        }
        return all;
    }

    private void checkIdle(String id, HibernationSetting setting, List<AgentStatus> nginx, long now) throws Exception {
        Map<String, AgentReports.Report> answers = reports.of(nginx);
        Map<String, Long> counters = new LinkedHashMap<>();
        boolean everyNginxHolds = !nginx.isEmpty();
        for (AgentStatus agent : nginx) {
            AgentReports.Report report = answers.get(agent.agentId());
            if (report == null || report.upstreams() == null) {
                continue; // an Nginx that does not answer serves nothing; its return counts as activity
            }
            everyNginxHolds &= AgentStatus.UPSTREAMS_DYNAMIC.equals(report.upstreams().upstreams());
            AgentUpstreams.Service counted = report.upstreams().services().get(id);
            counters.put(agent.group() + "/" + agent.agentId(), counted == null ? 0 : counted.requests());
        }
        idle.observe(id, counters, now);
        long idleMillis = idle.idleMillis(id, now);
        idleMillisSeen.put(id, idleMillis);
        if (idleMillis < setting.idleSeconds() * 1000L || counters.isEmpty() || !everyNginxHolds) {
            return; // an Nginx without the Lua balancer could not hold the first request and wake the service
        }
        Scheduler scheduler = schedulers.get(setting.scheduler());
        if (scheduler == null) {
            LOG.warn("hibernation service={} cannot hibernate: no {} scheduler configured", id, setting.scheduler());
            idle.active(id, now);
            return;
        }
        HibernatedService state = new HibernatedService(id, HibernatedService.HIBERNATED, now, setting.scheduler(), setting.handle(), 0,
                setting.wakeTimeoutSeconds(), setting.maxHeldRequests(), 0);
        nodes.put(state); // first, so every Nginx holds requests before the last instance goes
        try {
            int instances = scheduler.scaleToZero(setting.handle());
            nodes.put(new HibernatedService(id, HibernatedService.HIBERNATED, now, setting.scheduler(), setting.handle(), instances,
                    setting.wakeTimeoutSeconds(), setting.maxHeldRequests(), 0));
            LOG.info("hibernation service={} state=hibernated idleSeconds={} scheduler={} handle={} instances={}", id,
                    idleMillis / 1000, setting.scheduler(), setting.handle(), instances);
        } catch (Exception e) {
            nodes.delete(id);
            idle.active(id, now);
            LOG.warn("hibernation service={} state=awake reason=scale to zero failed: {}", id, e.toString());
        }
    }

    /** Marks the service waking, then asks its scheduler once; a failed ask is retried after the wake timeout, if requests wait. */
    private void wake(HibernatedService state, String reason, long now) throws Exception {
        HibernatedService waking = state.waking(now);
        nodes.put(waking);
        wakeUps.merge(state.service(), 1L, Long::sum);
        Scheduler scheduler = schedulers.get(state.scheduler());
        LOG.info("hibernation service={} state=waking wake={} reason={}", state.service(), waking.wakes(), reason);
        try {
            if (scheduler == null) {
                throw new IllegalStateException("no " + state.scheduler() + " scheduler is configured");
            }
            scheduler.scaleUp(state.handle(), state.instances());
        } catch (Exception e) {
            LOG.warn("hibernation service={} scale-up failed (retried after {} s while requests wait): {}", state.service(),
                    state.wakeTimeoutSeconds(), e.toString());
        }
    }

    /**
     * Awake once every Nginx that answers routes to an instance. Still none after the wake timeout while
     * Nginx still holds requests: the scheduler is asked again (a scale-up may have been lost).
     */
    private void checkWaking(HibernatedService state, List<AgentStatus> nginx, long now) throws Exception {
        String id = state.service();
        int routing = 0;
        int waiting = 0;
        for (AgentReports.Report report : reports.of(nginx).values()) {
            if (report.upstreams() == null) {
                continue;
            }
            if (report.upstreams().sampledAtMillis() <= state.sinceMillis()) {
                waiting++; // read before the wake-up: may still show the peers it had before it hibernated
                continue;
            }
            AgentUpstreams.Service service = report.upstreams().services().get(id);
            if (service != null && !service.peers().isEmpty()) {
                routing++;
            } else {
                waiting++;
            }
        }
        if (routing > 0 && waiting == 0) {
            nodes.delete(id);
            idle.active(id, now);
            LOG.info("hibernation service={} state=awake wokeInMillis={}", id, now - state.sinceMillis());
        } else if (now - state.sinceMillis() > state.wakeTimeoutSeconds() * 1000L && wakes.requestedBy(nginx).contains(id)) {
            wake(state, "no instance reached every Nginx within " + state.wakeTimeoutSeconds() + " s of the last wake-up", now);
        }
    }
}
