package io.lbmanager.api.view;

import io.lbmanager.catalog.GroupView;

import java.util.List;

/** An LB group with the ids of the services routed through it. */
public record GroupSummary(String name, List<String> services) {

    public static GroupSummary of(GroupView group) {
        return new GroupSummary(group.name(), group.services());
    }
}
