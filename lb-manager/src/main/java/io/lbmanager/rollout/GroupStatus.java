package io.lbmanager.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lbmanager.validate.ConfigError;

import java.util.List;
import java.util.Map;

/**
 * The outcome of the last render of a group, stored at {@code ZkLayout.groupStatus(group)}.
 *
 * @param quarantined services left out of the group's bundle, with what Nginx or the template said
 * @param message     why the group is blocked, when it is
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GroupStatus(
        String group,
        State state,
        long targetVersion,
        String targetSha256,
        int services,
        Map<String, List<ConfigError>> quarantined,
        String message,
        long renderedAtMillis) {

    public enum State {
        /** The target is the render of the current catalog (minus quarantined services). */
        CURRENT,
        /** The current catalog could not be published; agents keep the previous target. */
        BLOCKED
    }

    public GroupStatus {
        quarantined = Map.copyOf(quarantined);
    }
}
