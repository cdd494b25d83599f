package io.lbmanager.catalog;

import java.util.List;

/** An LB group and the ids of the services that hold a base path in it. */
public record GroupView(String name, List<String> services) {

    public GroupView {
        services = List.copyOf(services);
    }
}
