package io.lbmanager.routes;

import io.lbmanager.contract.RouteLine;

import java.util.List;

/** What changes between two routing tables: lines to add or replace, services to remove. */
public record RoutesDelta(List<RouteLine> upserts, List<String> removals) {

    public RoutesDelta {
        upserts = List.copyOf(upserts);
        removals = List.copyOf(removals);
    }

    public boolean isEmpty() {
        return upserts.isEmpty() && removals.isEmpty();
    }

    public int size() {
        return upserts.size() + removals.size();
    }
}
