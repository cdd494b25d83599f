package io.lbmanager.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lbmanager.validate.ConfigError;

import java.util.List;
import java.util.Map;

/**
 * The outcome of the last render of a group, stored at {@code ZkLayout.groupStatus(group)}.
 *
 * @param quarantined services left out of the group's bundle, with what Nginx or the template said
 * @param held        services whose discovered instances vanished in a glitch and are held at their previous ones
 * @param message     why the group is not CURRENT, when it is not
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GroupStatus(
        String group,
        State state,
        long targetVersion,
        String targetSha256,
        int services,
        Map<String, List<ConfigError>> quarantined,
        Map<String, String> held,
        String message,
        long renderedAtMillis) {

    public enum State {
        /** The target is the render of the current catalog (minus quarantined services). */
        CURRENT,
        /** A rollout is in flight; the current catalog follows once it is over. */
        WAITING,
        /** An operator pinned the group; the current catalog follows once it is unpinned. */
        PINNED,
        /** The current catalog could not be published; agents keep the previous target. */
        BLOCKED
    }

    public GroupStatus {
        quarantined = Map.copyOf(quarantined);
        held = held == null ? Map.of() : Map.copyOf(held);
    }
}
