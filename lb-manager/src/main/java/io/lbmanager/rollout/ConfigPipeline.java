package io.lbmanager.rollout;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.render.BundleRenderer;
import io.lbmanager.render.ConfigBundle;
import io.lbmanager.render.RenderOutcome;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.SnapshotSource;
import io.lbmanager.validate.ConfigError;
import io.lbmanager.validate.NginxValidator;
import io.lbmanager.validate.ValidationResult;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Snapshot -> render -> {@code nginx -t} -> publish, once per coalesced burst of changes, for
 * every group. A service whose piece Nginx or its template rejects is quarantined (left out,
 * with the error on the group status) and the rest of the group keeps flowing; an error in a
 * group-wide file blocks the group, whose agents keep the previous target.
 */
public final class ConfigPipeline implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigPipeline.class);
    private static final int MAX_QUARANTINE_ROUNDS = 8;

    private final SnapshotSource source;
    private final BundleRenderer renderer;
    private final NginxValidator validator;
    private final VersionPublisher publisher;
    private final CuratorFramework client;
    private final ZkLayout layout;
    private final Coalescer coalescer;
    private final Map<String, GroupStatus> statuses = new ConcurrentHashMap<>();
    private final AtomicLong runs = new AtomicLong();

    public ConfigPipeline(SnapshotSource source, BundleRenderer renderer, NginxValidator validator, VersionPublisher publisher,
                          CuratorFramework client, ZkLayout layout, long quietMillis, long maxDelayMillis) {
        this.source = source;
        this.renderer = renderer;
        this.validator = validator;
        this.publisher = publisher;
        this.client = client;
        this.layout = layout;
        this.coalescer = new Coalescer("config-pipeline", this::renderAllGroups, quietMillis, maxDelayMillis);
    }

    /** Something in the catalog or discovery changed; a render follows within the coalescing bounds. */
    public void changed() {
        coalescer.signal();
    }

    @Override
    public void start() {
        changed();
    }

    @Override
    public void stop() {
        coalescer.close();
    }

    public Map<String, GroupStatus> statuses() {
        return Map.copyOf(statuses);
    }

    public long runs() {
        return runs.get();
    }

    void renderAllGroups() {
        if (!source.isComplete()) {
            return;
        }
        runs.incrementAndGet();
        CatalogSnapshot snapshot = source.current();
        for (String group : snapshot.groups()) {
            try {
                GroupStatus status = renderGroup(snapshot, group);
                recordStatus(status);
            } catch (Exception e) {
                LOG.error("pipeline group={} failed, agents keep the previous target", group, e);
                recordStatus(blocked(group, Map.of(), "internal error: " + e.getMessage(), snapshot));
            }
        }
    }

    GroupStatus renderGroup(CatalogSnapshot snapshot, String group) throws Exception {
        Set<String> excluded = new HashSet<>();
        Map<String, List<ConfigError>> quarantined = new LinkedHashMap<>();
        for (int round = 0; round < MAX_QUARANTINE_ROUNDS; round++) {
            RenderOutcome outcome = renderer.renderGroup(snapshot, group, excluded);
            if (outcome instanceof RenderOutcome.TemplateFailed failed) {
                ConfigError error = new ConfigError(failed.template(), failed.line(), failed.serviceId(), failed.message());
                if (failed.serviceId() == null || excluded.contains(failed.serviceId())) {
                    return blocked(group, quarantined, "template " + failed.template() + " failed: " + failed.message(), snapshot);
                }
                quarantine(group, failed.serviceId(), List.of(error), excluded, quarantined);
                continue;
            }
            if (outcome instanceof RenderOutcome.InputRejected rejected) {
                quarantine(group, rejected.serviceId(),
                        List.of(new ConfigError(null, null, rejected.serviceId(), rejected.field() + ": " + rejected.message())),
                        excluded, quarantined);
                continue;
            }
            ConfigBundle bundle = ((RenderOutcome.Rendered) outcome).bundle();
            ValidationResult verdict = validator.validate(bundle);
            if (verdict instanceof ValidationResult.Invalid invalid) {
                List<ConfigError> groupWide = invalid.errors().stream().filter(e -> e.serviceId() == null).toList();
                if (!groupWide.isEmpty()) {
                    return blocked(group, quarantined, "nginx -t rejected " + describe(groupWide), snapshot);
                }
                Map<String, List<ConfigError>> byService = new LinkedHashMap<>();
                invalid.errors().forEach(e -> byService.computeIfAbsent(e.serviceId(), id -> new ArrayList<>()).add(e));
                byService.forEach((serviceId, errors) -> quarantine(group, serviceId, errors, excluded, quarantined));
                continue;
            }
            return published(group, bundle, quarantined, snapshot);
        }
        return blocked(group, quarantined, "more than " + MAX_QUARANTINE_ROUNDS + " rounds of quarantine", snapshot);
    }

    private GroupStatus published(String group, ConfigBundle bundle, Map<String, List<ConfigError>> quarantined,
                                  CatalogSnapshot snapshot) throws Exception {
        int services = snapshot.servicesIn(group).size() - quarantined.size();
        VersionPublisher.PublishOutcome outcome = publisher.publishIfChanged(bundle, "catalog change, " + services + " services");
        if (outcome instanceof VersionPublisher.PublishOutcome.Published published) {
            return current(group, published.version(), services, quarantined);
        }
        if (outcome instanceof VersionPublisher.PublishOutcome.Unchanged unchanged) {
            return current(group, unchanged.version(), services, quarantined);
        }
        int bytes = ((VersionPublisher.PublishOutcome.TooLarge) outcome).bytes();
        return blocked(group, quarantined,
                "bundle of " + bytes + " bytes exceeds the " + VersionPublisher.MAX_NODE_BYTES + "-byte ZooKeeper node budget", snapshot);
    }

    private GroupStatus current(String group, PublishedVersion version, int services, Map<String, List<ConfigError>> quarantined) {
        return new GroupStatus(group, GroupStatus.State.CURRENT, version.version(), version.sha256(), services, quarantined,
                null, System.currentTimeMillis());
    }

    private GroupStatus blocked(String group, Map<String, List<ConfigError>> quarantined, String message, CatalogSnapshot snapshot) {
        PublishedVersion target = null;
        try {
            target = publisher.target(group).orElse(null);
        } catch (Exception e) {
            LOG.warn("cannot read target of group={}: {}", group, e.getMessage());
        }
        return new GroupStatus(group, GroupStatus.State.BLOCKED, target == null ? 0 : target.version(),
                target == null ? null : target.sha256(), snapshot.servicesIn(group).size(), quarantined, message,
                System.currentTimeMillis());
    }

    private void quarantine(String group, String serviceId, List<ConfigError> errors, Set<String> excluded,
                            Map<String, List<ConfigError>> quarantined) {
        excluded.add(serviceId);
        quarantined.put(serviceId, List.copyOf(errors));
        LOG.warn("quarantine group={} service={} reason={}", group, serviceId, describe(errors));
    }

    private void recordStatus(GroupStatus status) {
        GroupStatus previous = statuses.put(status.group(), status);
        if (previous == null || previous.state() != status.state() || !previous.quarantined().keySet().equals(status.quarantined().keySet())) {
            LOG.info("group={} state={} target={} quarantined={}{}", status.group(), status.state(), status.targetVersion(),
                    status.quarantined().keySet(), status.message() == null ? "" : " reason=" + status.message());
        }
        try {
            String path = layout.groupStatus(status.group());
            try {
                client.setData().forPath(path, Json.write(status));
            } catch (KeeperException.NoNodeException e) {
                client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(path, Json.write(status));
            }
        } catch (Exception e) {
            LOG.warn("cannot store status of group={}: {}", status.group(), e.getMessage());
        }
    }

    private static String describe(List<ConfigError> errors) {
        return errors.stream()
                .map(e -> e.file() + (e.line() == null ? "" : ":" + e.line()) + " " + e.message())
                .reduce((a, b) -> a + "; " + b)
                .orElse("");
    }
}
