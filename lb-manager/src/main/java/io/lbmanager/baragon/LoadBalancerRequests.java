package io.lbmanager.baragon;

import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.ServiceValidator;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.errors.ConflictException;
import io.lbmanager.errors.InvalidInputException;
import io.lbmanager.errors.NotFoundException;
import io.lbmanager.rollout.AgentDirectory;
import io.lbmanager.rollout.GroupStatusStore;
import io.lbmanager.rollout.RolloutStore;
import io.lbmanager.rollout.VersionPublisher;
import io.lbmanager.routes.PublishedRoutes;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Baragon's request life cycle on top of the catalog. A request is checked with our rules and, if
 * it passes, written to the catalog at once (one transaction); it is {@code WAITING} until the
 * change is live on every Nginx of its groups ({@link LiveCheck}), then {@code SUCCESS}; refused by
 * our rules or by Nginx, or not live within the timeout, it is {@code FAILED} with the reason. The
 * state moves when someone asks (Singularity polls), so there is no worker to lose on a restart.
 */
public final class LoadBalancerRequests {

    /** Singularity's ids: {@code <request>-<deploy>-...-DEPLOY-1}, {@code <taskId>-ADD-1}. */
    public static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}");
    private static final Logger LOG = LoggerFactory.getLogger(LoadBalancerRequests.class);

    private final CatalogStore catalog;
    private final BaragonMapping mapping;
    private final LbRequestStore store;
    private final LiveCheck live;
    private final long timeoutMillis;
    private final LongSupplier clock;

    public LoadBalancerRequests(CuratorFramework client, ZkLayout layout, CatalogStore catalog, RolloutStore rollouts,
                                VersionPublisher versions, GroupStatusStore statuses, AgentDirectory agents, PublishedRoutes routes,
                                int requestsKept, long timeoutMillis, LongSupplier clock) {
        this.catalog = catalog;
        this.mapping = new BaragonMapping(new ServiceValidator(catalog::groupExists));
        this.store = new LbRequestStore(client, layout, requestsKept);
        this.live = new LiveCheck(client, layout, rollouts, versions, statuses, agents, routes);
        this.timeoutMillis = timeoutMillis;
        this.clock = clock;
    }

    /**
     * Takes a request; the same id again with the same body answers its current state, with another
     * body a 409 whose message Singularity recognises ("already enqueued with different parameters").
     */
    public LbRequestRecord submit(byte[] rawBody, BaragonRequestBody request, Permissions permissions, String actor) {
        String id = requireRequestId(request.loadBalancerRequestId());
        String sha256 = sha256(rawBody);
        Optional<LbRequestStore.Versioned> known = store.read(id);
        if (known.isPresent()) {
            if (!known.get().record().bodySha256().equals(sha256)) {
                throw new ConflictException("loadBalancerRequestId", "request " + id + " is already enqueued with different parameters");
            }
            return refreshed(known.get());
        }
        String serviceId = request.loadBalancerService() == null ? null : request.loadBalancerService().serviceId();
        LbRequestRecord outcome;
        try {
            outcome = apply(id, sha256, request, permissions, actor);
        } catch (InvalidInputException e) {
            outcome = refused(id, sha256, serviceId, named(e.field(), e.getMessage()));
        } catch (ConflictException e) {
            outcome = refused(id, sha256, serviceId, named(e.field(), e.getMessage()));
        } catch (NotFoundException e) {
            outcome = refused(id, sha256, serviceId, e.getMessage());
        }
        return refreshed(store.createOrGet(outcome));
    }

    /** The request's state now: a {@code WAITING} one is checked against what Nginx serves. */
    public Optional<LbRequestRecord> status(String id) {
        return store.read(requireRequestId(id)).map(this::refreshed);
    }

    /**
     * A change is in the catalog from the moment it is accepted, so it cannot be withdrawn half-way:
     * a finished request keeps its state (a {@code SUCCESS} stays one), a waiting one goes on to
     * {@code SUCCESS} or {@code FAILED}, and the answer says so.
     */
    public Optional<LbRequestRecord> cancel(String id) {
        return status(id).map(r -> r.state().finished() ? r
                : r.finish(r.state(), "lb-manager applies a request at once and cannot cancel it; it ends SUCCESS or FAILED"
                + (r.message() == null ? "" : ": " + r.message()), r.updatedAtMillis()));
    }

    public Optional<ServiceRecord> service(String serviceId) {
        return catalog.service(io.lbmanager.catalog.InputRules.requireName("serviceId", serviceId));
    }

    private LbRequestRecord apply(String id, String sha256, BaragonRequestBody request, Permissions permissions, String actor) {
        String serviceId = request.loadBalancerService() == null ? null : request.loadBalancerService().serviceId();
        Optional<ServiceRecord> existing = serviceId == null || !io.lbmanager.catalog.InputRules.NAME.matcher(serviceId).matches()
                ? Optional.empty() : catalog.service(serviceId);
        CatalogChange change = mapping.change(request, permissions.team(), existing);
        long now = clock.getAsLong();
        if (change instanceof CatalogChange.Nothing nothing) {
            return new LbRequestRecord(id, sha256, nothing.serviceId(), null, List.of(), List.of(), List.of(), false,
                    LbRequestState.SUCCESS, nothing.why(), now, now);
        }
        if (change instanceof CatalogChange.Delete delete) {
            permissions.refuseChange(delete.serviceId()).ifPresent(reason -> {
                throw new InvalidInputException(BaragonMapping.FIELD + "serviceId", reason);
            });
            List<String> groups = existing.map(r -> r.definition().groups()).orElse(List.of());
            boolean deleted = catalog.deleteService(delete.serviceId());
            LOG.info("baragon request={} service={} action=DELETE deleted={} by={}", id, delete.serviceId(), deleted, actor);
            return new LbRequestRecord(id, sha256, delete.serviceId(), null, groups, List.of(), List.of(), true,
                    LbRequestState.WAITING, null, now, now);
        }
        CatalogChange.Put put = (CatalogChange.Put) change;
        permissions.refusePut(put.definition()).ifPresent(reason -> {
            throw new InvalidInputException(BaragonMapping.FIELD + "owners", reason);
        });
        AtomicReference<List<Upstream>> before = new AtomicReference<>(List.of());
        AtomicReference<List<Upstream>> after = new AtomicReference<>(List.of());
        catalog.putService(put.definition(), current -> {
            List<Upstream> next = put.applyTo(current);
            before.set(current);
            after.set(next);
            return next;
        }, actor);
        Set<String> finalAddresses = addresses(after.get());
        Set<String> present = new LinkedHashSet<>(addresses(put.add()));
        put.replace().ifPresent(r -> present.addAll(addresses(r)));
        present.retainAll(finalAddresses);
        Set<String> absent = new LinkedHashSet<>(addresses(put.remove()));
        put.replace().ifPresent(r -> absent.addAll(addresses(before.get())));
        absent.removeAll(finalAddresses);
        LOG.info("baragon request={} service={} action=UPDATE basePath={} groups={} add={} remove={} by={}", id, put.definition().id(),
                put.definition().basePath(), put.definition().groups(), present, absent, actor);
        return new LbRequestRecord(id, sha256, put.definition().id(), put.definition().basePath(), put.definition().groups(),
                List.copyOf(present), List.copyOf(absent), false, LbRequestState.WAITING, null, now, now);
    }

    /** The catalog names our fields; a Baragon caller reads Baragon's. */
    private static String named(String field, String message) {
        String baragonField = BaragonMapping.baragonField(field);
        return baragonField == null ? message : baragonField + ": " + message;
    }

    private LbRequestRecord refused(String id, String sha256, String serviceId, String message) {
        LOG.info("baragon request={} state=FAILED reason={}", id, message);
        String safeServiceId = serviceId != null && io.lbmanager.catalog.InputRules.NAME.matcher(serviceId).matches() ? serviceId : null;
        return LbRequestRecord.failed(id, sha256, safeServiceId, message, clock.getAsLong());
    }

    private LbRequestRecord refreshed(LbRequestStore.Versioned stored) {
        LbRequestRecord request = stored.record();
        if (request.state() != LbRequestState.WAITING) {
            return request;
        }
        LiveCheck.Verdict verdict;
        try {
            verdict = live.check(request);
        } catch (Exception e) {
            return request.finish(LbRequestState.WAITING, "cannot read what Nginx serves: " + e.getMessage(), request.updatedAtMillis());
        }
        long now = clock.getAsLong();
        LbRequestRecord next;
        if (verdict instanceof LiveCheck.Verdict.Live) {
            next = request.finish(LbRequestState.SUCCESS, "live on every Nginx of " + request.groups(), now);
        } else if (verdict instanceof LiveCheck.Verdict.Refused refused) {
            next = request.finish(LbRequestState.FAILED, refused.reason(), now);
        } else {
            String reason = ((LiveCheck.Verdict.Pending) verdict).reason();
            if (now - request.createdAtMillis() <= timeoutMillis) {
                return request.finish(LbRequestState.WAITING, reason, request.updatedAtMillis());
            }
            next = request.finish(LbRequestState.FAILED, "not live within " + timeoutMillis / 1000 + " s: " + reason, now);
        }
        if (store.replace(next, stored.version())) {
            LOG.info("baragon request={} service={} state={} reason={}", next.id(), next.serviceId(), next.state(), next.message());
            return next;
        }
        return store.read(request.id()).map(LbRequestStore.Versioned::record).orElse(next);
    }

    private static Set<String> addresses(List<Upstream> upstreams) {
        Set<String> out = new LinkedHashSet<>();
        upstreams.forEach(u -> out.add(u.address()));
        return out;
    }

    private static String requireRequestId(String id) {
        io.lbmanager.catalog.InputRules.requirePresent("loadBalancerRequestId", id);
        if (!REQUEST_ID.matcher(id).matches()) {
            throw new InvalidInputException("loadBalancerRequestId", "must match " + REQUEST_ID.pattern());
        }
        return id;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
