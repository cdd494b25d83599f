package io.lbmanager.rollout;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.contract.VersionNodes;
import io.lbmanager.render.IncrementalRenderer;
import io.lbmanager.render.RenderOutcome;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.SnapshotChange;
import io.lbmanager.snapshot.SnapshotListener;
import io.lbmanager.validate.ConfigError;
import io.lbmanager.validate.GroupCheck;
import io.lbmanager.validate.NginxValidator;
import io.lbmanager.validate.ValidationResult;
import io.lbmanager.validate.ValidationScope;
import io.lbmanager.zk.Leadership;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Snapshot -> render -> {@code nginx -t} -> rollout, once per coalesced burst of changes, for
 * every group, on the leading manager only. A service whose piece Nginx or its template rejects
 * is quarantined (left out, with the error on the group status) and the rest of the group keeps
 * flowing; an error in a group-wide file blocks the group, whose agents keep the previous target.
 * Rendering redoes only the services that changed ({@link IncrementalRenderer}), and {@code nginx -t}
 * sees only what changed since the bundle every agent accepted ({@link ValidationScope}).
 */
public final class ConfigPipeline implements Managed, SnapshotListener, Leadership.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigPipeline.class);
    private static final int MAX_QUARANTINE_ROUNDS = 8;

    private final RenderRequests renders;
    private final IncrementalRenderer renderer;
    private final NginxValidator validator;
    private final PublishedBundles published;
    private final RolloutCoordinator rollouts;
    private final GroupStatusStore statusStore;
    private final BooleanSupplier isLeader;
    private final long maxDelayMillis;
    private final AtomicLong renderCount = new AtomicLong();
    /** Per group, the sha256 of the last sandbox that passed nginx -t. */
    private final Map<String, String> lastPassedCheck = new ConcurrentHashMap<>();
    private volatile CatalogSnapshot latest;
    private volatile long lastCheckMillis;

    public ConfigPipeline(RenderRequests renders, IncrementalRenderer renderer, NginxValidator validator, PublishedBundles published,
                          RolloutCoordinator rollouts, GroupStatusStore statusStore, BooleanSupplier isLeader, long maxDelayMillis) {
        this.renders = renders;
        this.renderer = renderer;
        this.validator = validator;
        this.published = published;
        this.rollouts = rollouts;
        this.statusStore = statusStore;
        this.isLeader = isLeader;
        this.maxDelayMillis = maxDelayMillis;
    }

    /**
     * A new guarded snapshot. A person's change to the catalog is rendered at once when the pipeline
     * is idle and calm, else coalesced like any change; only while the last {@code nginx -t} took no
     * longer than {@code maxDelayMillis}, though: a burst right behind the first change waits for
     * that check, and should not wait longer than coalescing would have let it. Discovery changes
     * keep the quiet period.
     */
    @Override
    public void snapshotChanged(CatalogSnapshot snapshot, SnapshotChange change) {
        latest = snapshot;
        if (change.catalogChanged() && lastCheckMillis <= maxDelayMillis) {
            renders.renderPromptly("snapshot " + change.causes());
        } else {
            renders.renderSoon("snapshot " + change.causes());
        }
    }

    @Override
    public void leadershipGained() {
        renders.renderSoon("this manager leads now");
    }

    @Override
    public void start() {
        renders.serve(this::renderAllGroups);
    }

    @Override
    public void stop() {
        renders.close();
    }

    /** Renders done so far (each one a full pass over every group). */
    public long renders() {
        return renderCount.get();
    }

    void renderAllGroups() {
        CatalogSnapshot snapshot = latest;
        if (!isLeader.getAsBoolean() || snapshot == null) {
            return;
        }
        renderCount.incrementAndGet();
        renderer.retainGroups(snapshot.groups());
        lastPassedCheck.keySet().retainAll(snapshot.groups());
        for (String group : snapshot.groups()) {
            Map<String, String> held = snapshot.heldServicesIn(group);
            try {
                statusStore.record(renderGroup(snapshot, group, held));
            } catch (Exception e) {
                LOG.error("pipeline group={} failed, agents keep the previous target", group, e);
                statusStore.record(status(group, GroupStatus.State.BLOCKED, null, snapshot, Map.of(), held, "internal error: " + e));
            }
        }
    }

    GroupStatus renderGroup(CatalogSnapshot snapshot, String group, Map<String, String> held) throws Exception {
        Set<String> excluded = new HashSet<>();
        Map<String, List<ConfigError>> quarantined = new LinkedHashMap<>();
        Optional<ConfigBundle> accepted = acceptedByEveryAgent(group);
        for (int round = 0; round < MAX_QUARANTINE_ROUNDS; round++) {
            RenderOutcome outcome = renderer.renderGroup(snapshot, group, excluded);
            if (outcome instanceof RenderOutcome.Rendered rendered && rollouts.isTarget(rendered.bundle())) {
                return propose(group, rendered.bundle(), snapshot, quarantined, held); // nothing changed: no nginx -t to wait for
            }
            GroupCheck.Verdict verdict = GroupCheck.check(outcome, bundle -> scopeOf(bundle, accepted), this::nginxTest);
            if (verdict instanceof GroupCheck.Verdict.Accepted passed) {
                return propose(group, passed.bundle(), snapshot, quarantined, held);
            }
            GroupCheck.Verdict.Refused refused = (GroupCheck.Verdict.Refused) verdict;
            List<ConfigError> groupWide = refused.errors().stream()
                    .filter(e -> e.serviceId() == null || excluded.contains(e.serviceId())).toList();
            if (!groupWide.isEmpty()) {
                return status(group, GroupStatus.State.BLOCKED, null, snapshot, quarantined, held,
                        (refused.bundle() == null ? "template " : "nginx -t rejected ") + describe(groupWide));
            }
            Map<String, List<ConfigError>> byService = new LinkedHashMap<>();
            refused.errors().forEach(e -> byService.computeIfAbsent(e.serviceId(), id -> new ArrayList<>()).add(e));
            byService.forEach((serviceId, errors) -> quarantine(group, serviceId, errors, excluded, quarantined));
        }
        return status(group, GroupStatus.State.BLOCKED, null, snapshot, quarantined, held,
                "more than " + MAX_QUARANTINE_ROUNDS + " rounds of quarantine");
    }

    /** The bundle to check against: none (a full check) when it cannot be read. */
    private Optional<ConfigBundle> acceptedByEveryAgent(String group) {
        try {
            return published.acceptedByEveryAgent(group);
        } catch (Exception e) {
            LOG.warn("pipeline group={} cannot read its live bundle, checking every file: {}", group, e.toString());
            return Optional.empty();
        }
    }

    /** What nginx -t must see of {@code bundle}: what changed since the bundle every agent accepted, or everything. */
    private static ValidationScope scopeOf(ConfigBundle bundle, Optional<ConfigBundle> accepted) {
        return accepted.map(base -> ValidationScope.changedSince(bundle, base))
                .orElseGet(() -> ValidationScope.everything(bundle, "no version that every agent accepted to compare with"));
    }

    /** nginx -t of the scope's files; files that passed before (the same sandbox, by sha256) are not checked again. */
    private ValidationResult nginxTest(ValidationScope scope) {
        String group = scope.sandbox().group();
        if (scope.sandbox().sha256().equals(lastPassedCheck.get(group))) {
            return new ValidationResult.Valid();
        }
        long checkStart = System.nanoTime();
        ValidationResult verdict = validator.validate(scope.sandbox());
        lastCheckMillis = (System.nanoTime() - checkStart) / 1_000_000;
        LOG.debug("nginx -t group={} files={} of={} valid={} millis={} scope={}", group, scope.files().size(), scope.bundleFiles(),
                verdict.isValid(), lastCheckMillis, scope.reason());
        if (verdict.isValid()) {
            lastPassedCheck.put(group, scope.sandbox().sha256());
        }
        return verdict;
    }

    private GroupStatus propose(String group, ConfigBundle bundle, CatalogSnapshot snapshot, Map<String, List<ConfigError>> quarantined,
                                Map<String, String> held) throws Exception {
        int services = snapshot.servicesIn(group).size() - quarantined.size();
        RolloutCoordinator.Proposal proposal = rollouts.propose(bundle, "catalog change, " + services + " services");
        if (proposal instanceof RolloutCoordinator.Proposal.Started started) {
            return status(group, GroupStatus.State.CURRENT, started.rollout().version(), snapshot, quarantined, held, null);
        }
        if (proposal instanceof RolloutCoordinator.Proposal.Unchanged unchanged) {
            return status(group, GroupStatus.State.CURRENT, unchanged.target().version(), snapshot, quarantined, held, null);
        }
        if (proposal instanceof RolloutCoordinator.Proposal.Waiting waiting) {
            return status(group, GroupStatus.State.WAITING, null, snapshot, quarantined, held,
                    "rollout of version " + waiting.inFlight().version() + " in flight; this change follows it");
        }
        if (proposal instanceof RolloutCoordinator.Proposal.Pinned pinned) {
            return status(group, GroupStatus.State.PINNED, null, snapshot, quarantined, held,
                    "pinned by " + pinned.pin().by() + ": " + pinned.pin().reason());
        }
        if (proposal instanceof RolloutCoordinator.Proposal.PreviouslyReverted reverted) {
            return status(group, GroupStatus.State.BLOCKED, null, snapshot, quarantined, held,
                    "this config is version " + reverted.reverted().version() + ", which was reverted: " + describeFailures(reverted.reverted()));
        }
        int bytes = ((RolloutCoordinator.Proposal.TooLarge) proposal).bytes();
        return status(group, GroupStatus.State.BLOCKED, null, snapshot, quarantined, held,
                "bundle of " + bytes + " bytes exceeds the " + VersionPublisher.MAX_BUNDLE_BYTES + "-byte budget of a version ("
                        + VersionNodes.MAX_CHUNKS + " chunks of " + VersionNodes.CHUNK_BYTES + " bytes)");
    }

    private GroupStatus status(String group, GroupStatus.State state, Long targetVersion, CatalogSnapshot snapshot,
                               Map<String, List<ConfigError>> quarantined, Map<String, String> held, String message) {
        return new GroupStatus(group, state, targetVersion == null ? rollouts.targetVersion(group) : targetVersion, null,
                snapshot.servicesIn(group).size(), quarantined, held, message, System.currentTimeMillis());
    }

    private void quarantine(String group, String serviceId, List<ConfigError> errors, Set<String> excluded,
                            Map<String, List<ConfigError>> quarantined) {
        excluded.add(serviceId);
        quarantined.put(serviceId, List.copyOf(errors));
        LOG.warn("quarantine group={} service={} reason={}", group, serviceId, describe(errors));
    }

    private static String describeFailures(RolloutRecord rollout) {
        return rollout.failures().stream().map(f -> f.agentId() + ": " + f.reason()).reduce((a, b) -> a + "; " + b).orElse("no reason recorded");
    }

    private static String describe(List<ConfigError> errors) {
        return errors.stream().map(ConfigError::describe).reduce((a, b) -> a + "; " + b).orElse("");
    }
}
