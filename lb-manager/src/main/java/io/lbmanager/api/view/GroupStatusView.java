package io.lbmanager.api.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lbmanager.rollout.GroupStatus;
import io.lbmanager.validate.ConfigError;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the last render of a group came to: current, waiting, pinned or blocked, and which services were left out. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GroupStatusView(String group, String state, long targetVersion, String targetSha256, int services,
                              Map<String, List<ConfigErrorView>> quarantined, Map<String, String> held, String message, long renderedAtMillis) {

    public static GroupStatusView of(GroupStatus status) {
        if (status == null) {
            return null;
        }
        Map<String, List<ConfigErrorView>> quarantined = null;
        if (status.quarantined() != null) {
            quarantined = new LinkedHashMap<>();
            for (Map.Entry<String, List<ConfigError>> service : status.quarantined().entrySet()) {
                quarantined.put(service.getKey(), ConfigErrorView.of(service.getValue()));
            }
        }
        return new GroupStatusView(status.group(), status.state() == null ? null : status.state().name(), status.targetVersion(),
                status.targetSha256(), status.services(), quarantined, status.held(), status.message(), status.renderedAtMillis());
    }
}
