package io.lbmanager.rollout;

import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.contract.PublishedVersion;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bundles a group's target and live versions point at, decoded once per version (a
 * 1,000-service bundle is 2,001 files to unzip, parse and check): the validate endpoint diffs
 * against the target and checks what changed since it; the pipeline checks what changed since
 * the bundle every agent accepted. Keeps the last two decoded versions of each group.
 */
public final class PublishedBundles {

    private static final int KEPT_PER_GROUP = 2;

    public record Published(PublishedVersion version, ConfigBundle bundle) {
    }

    private final VersionPublisher publisher;
    private final RolloutStore store;
    private final Map<String, List<Published>> decodedByGroup = new ConcurrentHashMap<>();

    public PublishedBundles(VersionPublisher publisher, RolloutStore store) {
        this.publisher = publisher;
        this.store = store;
    }

    /** The version the group's agents are told to run, with its bundle; empty when nothing was published. */
    public Optional<Published> target(String group) throws Exception {
        Optional<PublishedVersion> target = publisher.target(group);
        return target.isEmpty() ? Optional.empty() : Optional.of(decoded(target.get()));
    }

    /**
     * The bundle of the group's live version: every agent's Nginx loaded all of it and serves it.
     * Empty when the group has none, or when its latest rollout was reverted: an agent
     * may have refused something a check of the changed services cannot see, so the group is
     * checked in full until a rollout succeeds.
     */
    public Optional<ConfigBundle> acceptedByEveryAgent(String group) throws Exception {
        Optional<RolloutRecord> latest = store.rollout(group).value();
        if (latest.isPresent() && latest.get().state() == RolloutRecord.State.REVERTED) {
            return Optional.empty();
        }
        Optional<PublishedVersion> live = store.live(group).value();
        return live.isEmpty() ? Optional.empty() : Optional.of(decoded(live.get()).bundle());
    }

    private Published decoded(PublishedVersion version) throws Exception {
        String group = version.group();
        for (Published known : decodedByGroup.getOrDefault(group, List.of())) {
            if (known.version().version() == version.version() && known.version().sha256().equals(version.sha256())) {
                return known;
            }
        }
        Published read = new Published(version, publisher.storedBundle(group, version.version()));
        decodedByGroup.compute(group, (g, known) -> {
            List<Published> kept = new ArrayList<>();
            kept.add(read);
            if (known != null) {
                known.stream().filter(k -> k.version().version() != version.version()).limit(KEPT_PER_GROUP - 1).forEach(kept::add);
            }
            return List.copyOf(kept);
        });
        return read;
    }
}
