package io.lbmanager.api.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.rollout.GroupPin;
import io.lbmanager.rollout.RolloutRecord;

import java.util.List;

/**
 * One rollout of a version to a group's agents, and how it ended. {@code kind} says which path the change took:
 * CONFIG (config version, one reload per Nginx) or ROUTES (routing table version, pushed into the Lua router, 0 reloads).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RolloutView(String id, String group, long version, String sha256, long fromVersion, String state, String cause, String actor,
                          long startedAtMillis, long deadlineMillis, Long finishedAtMillis, List<AgentFailure> failures, boolean timedOut,
                          String kind) {

    public record AgentFailure(String agentId, String reason) {
    }

    /** A published version of a group's config. */
    public record Version(String group, long version, String sha256, long publishedAtMillis, String cause) {
        public static Version of(PublishedVersion version) {
            return version == null ? null
                    : new Version(version.group(), version.version(), version.sha256(), version.publishedAtMillis(), version.cause());
        }
    }

    /** Who pinned a group to its version, and why. */
    public record Pin(String by, String reason, long atMillis) {
        public static Pin of(GroupPin pin) {
            return pin == null ? null : new Pin(pin.by(), pin.reason(), pin.atMillis());
        }
    }

    public static RolloutView of(RolloutRecord rollout) {
        return rollout == null ? null : new RolloutView(rollout.id(), rollout.group(), rollout.version(), rollout.sha256(),
                rollout.fromVersion(), rollout.state().name(), rollout.cause(), rollout.actor(), rollout.startedAtMillis(),
                rollout.deadlineMillis(), rollout.finishedAtMillis(),
                rollout.failures() == null ? null : rollout.failures().stream().map(f -> new AgentFailure(f.agentId(), f.reason())).toList(),
                rollout.timedOut(), rollout.kind().name());
    }
}
